/**
 * Runs the TypeScript examples of the README, the user guides that span packages and the package READMEs. Every ```ts block runs
 * (top-level await allowed; `import ... from 'minikeras'` resolves to this package); a block tagged `ts no-run`
 * is an excerpt. `console.log(x); // value` lines are checked against the value. When a block leaves a
 * compiled `model` behind (the seed tutorial's compile snippets in docs/optimizers.md), the model is then
 * trained for a few steps on data of its shape, and its loss must fall: each snippet is a working program.
 */
import { expect } from 'vitest';
import { describeDocs } from '@minikeras/test-utils';
import * as tensorPkg from '@minikeras/tensor';
import * as optimizersPkg from '@minikeras/optimizers';
import * as lossesPkg from '@minikeras/losses';
import * as layersPkg from '@minikeras/layers';
import * as datasetsPkg from '@minikeras/datasets';
import * as mk from './index';

const MODULES: Record<string, unknown> = {
  minikeras: mk, '@minikeras/tensor': tensorPkg, '@minikeras/optimizers': optimizersPkg,
  '@minikeras/losses': lossesPkg, '@minikeras/layers': layersPkg, '@minikeras/datasets': datasetsPkg,
};

/** A few fit steps on one fixed batch shaped for the model; the loss must fall. */
async function trainsAFewSteps(model: mk.Sequential): Promise<void> {
  const inShape = model.inputShape!.slice(1) as number[];
  const outShape = model.outputShape!.slice(1) as number[];
  const units = outShape[outShape.length - 1]!;
  const activation = model.layers.at(-1)!.getConfig().activation;
  const n = 32;
  mk.setSeed(3);
  const x = mk.randomNormal([n, ...inShape]);
  let y: mk.Tensor;
  const sparse = model.requireCompiled('fit').loss.className === 'SparseCategoricalCrossentropy';
  const labels = mk.floor(mk.mul(mk.randomUniform([n]), units - 1e-6));
  if (activation === 'softmax') y = sparse ? labels : mk.oneHot(labels, units);
  else if (activation === 'sigmoid') y = mk.cast(mk.greater(mk.randomUniform([n, ...outShape]), 0.5), 'float32');
  else y = mk.randomNormal([n, ...outShape]);
  const lossOf = () => { const r = model.testOnBatch(x, y); return Array.isArray(r) ? r[0]! : r; };
  const first = lossOf();
  await model.fit(x, y, { epochs: 30, batchSize: n, verbose: 0 });
  const last = lossOf();
  expect(last, `loss ${first} -> ${last}`).toBeLessThan(first);
}

// The package READMEs that npm shows run here too (tensor's has its own test).
const DOCS = [
  '../../../README.md', '../../../docs/training.md', '../../../docs/optimizers.md', '../README.md', '../../optimizers/README.md',
  '../../layers/README.md', '../../losses/README.md', '../../datasets/README.md',
];

describeDocs(DOCS.map((p) => new URL(p, import.meta.url)), {
  modules: MODULES,
  prelude: ['Sequential', 'layers', 'optimizers', 'losses', 'metrics', 'callbacks', 'datasets', 'setSeed', 'tensor'],
  beforeEach: () => {
    mk.clearSession();
    mk.setSeed(1);
  },
  after: async (model) => {
    if (model instanceof mk.Sequential && model.isCompiled && model.inputShape) await trainsAFewSteps(model);
  },
});

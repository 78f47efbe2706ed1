/**
 * Runs the TypeScript examples of the README and the user guides that span packages. Every ```ts block runs
 * (top-level await allowed; `import ... from 'minikeras'` resolves to this package); a block tagged `ts no-run`
 * is an excerpt. `console.log(x); // value` lines are checked against the value. When a block leaves a
 * compiled `model` behind (the seed tutorial's compile snippets in docs/optimizers.md), the model is then
 * trained for a few steps on data of its shape, and its loss must fall: each snippet is a working program.
 */
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as tensorPkg from '@minikeras/tensor';
import * as optimizersPkg from '@minikeras/optimizers';
import * as lossesPkg from '@minikeras/losses';
import * as layersPkg from '@minikeras/layers';
import * as mk from './index';

const MODULES: Record<string, unknown> = {
  minikeras: mk, '@minikeras/tensor': tensorPkg, '@minikeras/optimizers': optimizersPkg,
  '@minikeras/losses': lossesPkg, '@minikeras/layers': layersPkg,
};
/** Names a snippet may use without importing them, as the guides' short excerpts do. */
const PRELUDE = ['Sequential', 'layers', 'optimizers', 'losses', 'metrics', 'callbacks', 'datasets', 'setSeed', 'tensor'] as const;

const DOCS = ['../../../README.md', '../../../docs/training.md', '../../../docs/optimizers.md'];
const VALUE_COMMENT = /^(\[|"|-?\d|true\b|false\b|null\b)/;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;

function blocks(markdown: string): { code: string; line: number }[] {
  const out: { code: string; line: number }[] = [];
  const re = /^```ts\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) out.push({ code: m[1]!, line: markdown.slice(0, m.index).split('\n').length });
  return out;
}

/** ES imports become destructuring of `__require(...)`, so the block can run inside an async function. */
function rewriteImports(code: string): string {
  return code.replace(/^import\s+(type\s+)?([^;]+?)\s+from\s+'([^']+)';?$/gm, (_all, isType: string | undefined, what: string, from: string) => {
    if (isType) return '';
    const spec = what.trim();
    const ns = /^\*\s+as\s+(\w+)$/.exec(spec);
    if (ns) return `const ${ns[1]} = __require(${JSON.stringify(from)});`;
    const names = spec.replace(/^\{|\}$/g, '').split(',').map((s) => s.trim()).filter((s) => s && !s.startsWith('type '));
    return `const { ${names.map((n) => n.replace(/\s+as\s+/, ': ')).join(', ')} } = __require(${JSON.stringify(from)});`;
  });
}

function instrument(code: string): string {
  return code.split('\n').map((line) => {
    const m = /^(\s*)console\.log\((.*)\);\s*\/\/\s*(.+)$/.exec(line);
    if (m && VALUE_COMMENT.test(m[3]!)) return `${m[1]}__check(${JSON.stringify(m[3])}, ${m[2]});`;
    return line.replace(/console\.log\(/g, '__log(');
  }).join('\n');
}

function importedNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const part of m[1]!.split(',')) { const n = part.trim().split(/\s+as\s+/).pop(); if (n) names.add(n); }
  }
  return names;
}

async function run(code: string): Promise<unknown> {
  const imported = importedNames(code);
  const prelude = `const { ${PRELUDE.filter((n) => !imported.has(n)).join(', ')} } = __require('minikeras');`;
  // Wrapped in an async arrow so top-level await works and `model` can be handed back.
  const body = `const __main = async () => {\n${prelude}\n${instrument(rewriteImports(code))}\nreturn typeof model === 'undefined' ? undefined : model;\n};`;
  const js = `${transformSync(body, { loader: 'ts', target: 'es2022' }).code}\nreturn __main();`;
  const require = (name: string) => {
    if (!(name in MODULES)) throw new Error(`docs snippet imports unknown module '${name}'`);
    return MODULES[name];
  };
  const check = (expected: string, ...values: unknown[]) => {
    const got = values.map((v) => JSON.stringify(v)).join(' ');
    expect(got.replace(/\s/g, ''), `console.log printed ${got}`).toBe(expected.replace(/\s/g, ''));
  };
  return new AsyncFunction('__require', '__check', '__log', js)(require, check, () => {});
}

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

for (const doc of DOCS) {
  const markdown = readFileSync(new URL(doc, import.meta.url), 'utf8');
  describe(doc.replace(/^(\.\.\/)+/, ''), () => {
    const found = blocks(markdown);
    it('has runnable examples', () => expect(found.length).toBeGreaterThan(0));
    for (const { code, line } of found) {
      it(`the example at line ${line} runs`, async () => {
        mk.clearSession();
        mk.setSeed(1);
        const model = await run(code);
        if (model instanceof mk.Sequential && model.isCompiled && model.inputShape) await trainsAFewSteps(model);
      });
    }
  });
}

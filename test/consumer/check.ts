/**
 * The consumer's typed program (test/consumer.test.ts compiles it in a project that installed the packed
 * tarballs, under every module resolution and both skipLibCheck settings). The lines without a directive must
 * compile; each `@ts-expect-error` line must be an error, or tsc reports the directive as unused. If the
 * packages' types failed to resolve and degraded to `any`, every one of those directives would be unused.
 */
import { Sequential, layers, optimizers, losses, metrics, callbacks, datasets, tensor, Tensor, setSeed } from 'minikeras';
import type { ActivationName, LossName, MetricName, OptimizerName } from 'minikeras';
import * as tensorPkg from '@minikeras/tensor';
import { Adam, SGD } from '@minikeras/optimizers';
import { BinaryCrossentropy } from '@minikeras/losses';
import { layers as layersNs } from '@minikeras/layers';
import { mnist } from '@minikeras/datasets';

setSeed(1);
const model = new Sequential([
  layers.Input({ shape: [2] }),
  new layers.Dense(4, { activation: 'relu' }),
  new layersNs.Dense(1, { activation: 'sigmoid' }),
]);
const compiled = model.compile({ optimizer: new Adam({ learningRate: 0.1 }), loss: new BinaryCrossentropy(), metrics: ['accuracy'] });
model.compile({ optimizer: new optimizers.SGD({ learningRate: 0.1, momentum: 0.9 }), loss: losses.meanSquaredError });
model.compile({ optimizer: new SGD(), loss: 'binary_crossentropy', metrics: [new metrics.BinaryAccuracy()] });

// A tensor from @minikeras/tensor is minikeras' Tensor: the same declaration, not a structural twin.
const x: Tensor = tensorPkg.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tensor([[0], [1], [1], [0]]);
const prediction: Tensor = model.predict(x);
const names: [OptimizerName, LossName, MetricName, ActivationName] = ['adam', 'mse', 'accuracy', 'relu'];

async function train(): Promise<number[]> {
  const history = await compiled.fit(x, y, { epochs: 2, verbose: 0, callbacks: [new callbacks.EarlyStopping({ monitor: 'loss' })] });
  const { train: digits } = await mnist.loadData({ normalize: true });
  void datasets.toCategorical;
  void digits.x.shape;
  return history.history.accuracy;
}

// @ts-expect-error misspelled optimizer name
model.compile({ optimizer: 'adamm', loss: 'mse' });
// @ts-expect-error misspelled loss name
model.compile({ optimizer: 'adam', loss: 'binary_crossentropyy' });
// @ts-expect-error misspelled metric name
model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['acuracy'] });
// @ts-expect-error misspelled activation name
new layers.Dense(1, { activation: 'rellu' });
// @ts-expect-error an option Adam does not have
new Adam({ momentum: 0.9 });
// @ts-expect-error an option Adam does not have, through the umbrella's namespace
new optimizers.Adam({ momentum: 0.9 });
// @ts-expect-error a misspelled metric name as a type
const badMetric: MetricName = 'acc_uracy';
// @ts-expect-error 'val_acc' is never logged by a model compiled with metrics: ['accuracy']
void compiled.fit(x, y, { callbacks: [new callbacks.EarlyStopping({ monitor: 'val_acc' })] });
// @ts-expect-error predict returns a Tensor (were the types `any`, this would compile)
const notAString: string = model.predict(x);

export { train, prediction, names, badMetric, notAString };

import { beforeEach, describe, expect, it } from 'vitest';
import { tensor } from '@minikeras/tensor';
import { expectClose, randomTensor } from '@minikeras/test-utils';
import { LayerNormalization } from './layer-normalization';
import { clearSession } from '../engine/layer';
import { checkLayerGradients, runLayerTest } from '../testing/run-layer-test';

beforeEach(() => clearSession());

// Row [1, 2, 3, 4]: mean 2.5, biased variance 1.25, so (x - 2.5) / sqrt(1.25 + 0.001) =
//   [-1.3411045, -0.4470348, 0.4470348, 1.3411045].
// Row [2, 4, 6, 8]: mean 5, variance 5, so (x - 5) / sqrt(5.001) = [-1.3415066, -0.4471689, 0.4471689, 1.3415066].
const ROW0 = [-1.3411045, -0.4470348, 0.4470348, 1.3411045];
const ROW1 = [-1.3415066, -0.4471689, 0.4471689, 1.3415066];

describe('LayerNormalization', () => {
  it('passes the generic layer test', () => {
    runLayerTest(() => new LayerNormalization(), { inputShape: [3, 4], expectedOutputShape: [3, 4], expectedTrainableWeights: 2, expectedNonTrainableWeights: 0 });
    runLayerTest(() => new LayerNormalization({ axis: [1, 2], epsilon: 1e-5 }), { inputShape: [2, 3, 2, 2], expectedOutputShape: [2, 3, 2, 2], expectedTrainableWeights: 2 });
    runLayerTest(() => new LayerNormalization({ center: false }), { inputShape: [2, 5], expectedOutputShape: [2, 5], expectedTrainableWeights: 1 });
  });

  it('normalizes each sample over the last axis, the same in training and inference', () => {
    const layer = new LayerNormalization();
    const x = tensor([[1, 2, 3, 4], [2, 4, 6, 8]]);
    expectClose(layer.apply(x, { training: false }), [...ROW0, ...ROW1], { rtol: 1e-5 });
    expectClose(layer.apply(x, { training: true }), [...ROW0, ...ROW1], { rtol: 1e-5 });
    expect(layer.weights.map((w) => w.name)).toEqual(['layer_normalization/gamma', 'layer_normalization/beta']);
  });

  it('scales by gamma and shifts by beta, per feature', () => {
    const layer = new LayerNormalization();
    layer.ensureBuilt([null, 4]);
    layer.setWeights([tensor([1, -1, 2, 0.5]), tensor([0, 1, 0, -1])]);
    // ROW0 * gamma + beta = [-1.3411045, 0.4470348 + 1, 0.8940696, 0.6705522 - 1]
    expectClose(layer.apply(tensor([[1, 2, 3, 4]])), [-1.3411045, 1.4470348, 0.8940696, -0.3294478], { rtol: 1e-5 });
  });

  it('normalizes over several axes with gamma of their shape', () => {
    const layer = new LayerNormalization({ axis: [-2, -1] });
    // Each [2, 2] sample is normalized over its 4 values.
    const y = layer.apply(tensor([[[1, 2], [3, 4]], [[2, 4], [6, 8]]]));
    expect(layer.gamma!.shape).toEqual([2, 2]);
    expectClose(y, [...ROW0, ...ROW1], { rtol: 1e-5 });
  });

  it('has correct gradients', () => {
    const opts = { gammaInitializer: 'random_normal', betaInitializer: 'random_normal' } as const;
    checkLayerGradients(new LayerNormalization(opts), randomTensor([3, 5], 1));
    checkLayerGradients(new LayerNormalization({ ...opts, axis: [1, 2] }), randomTensor([2, 3, 2], 2));
    checkLayerGradients(new LayerNormalization({ ...opts, axis: 1 }), randomTensor([2, 3, 2], 3));
  });

  it('rejects bad options and mismatched inputs', () => {
    expect(() => new LayerNormalization({ axis: [] })).toThrow(/LayerNormalization 'layer_normalization.*': axis must be an integer or a non-empty list of integers/);
    expect(() => new LayerNormalization({ epsilon: -1 })).toThrow(/epsilon must be a positive number, got -1/);
    expect(() => new LayerNormalization({ axis: 2 }).apply(randomTensor([2, 3], 1))).toThrow(/axis 2 is out of range for an input of rank 2/);
    expect(() => new LayerNormalization({ axis: [1, -1] }).apply(randomTensor([2, 3], 1))).toThrow(/repeats an axis/);
    // @ts-expect-error: misspelled option
    expect(() => new LayerNormalization({ epsilom: 1e-5 })).toThrow(/unknown option 'epsilom' \(did you mean 'epsilon'\?\)/);
    const layer = new LayerNormalization({ name: 'ln' });
    layer.ensureBuilt([null, 4]);
    expect(() => layer.apply(randomTensor([2, 3], 1))).toThrow(/LayerNormalization 'ln' expects a rank-2 input with sizes \[4\] on axes -1, got input of shape \[2,3\]/);
  });
});

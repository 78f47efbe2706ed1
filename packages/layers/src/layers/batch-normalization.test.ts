import { beforeEach, describe, expect, it } from 'vitest';
import { tensor } from '@minikeras/tensor';
import { expectClose, randomTensor } from '@minikeras/test-utils';
import { BatchNormalization } from './batch-normalization';
import { clearSession } from '../engine/layer';
import { checkLayerGradients, runLayerTest } from '../testing/run-layer-test';

beforeEach(() => clearSession());

// Feature 0 holds 1, 2, 3, 4: mean 2.5, biased variance (1.5^2 + 0.5^2 + 0.5^2 + 1.5^2) / 4 = 1.25.
// Feature 1 holds 2, 4, 6, 8: mean 5, biased variance (9 + 1 + 1 + 9) / 4 = 5.
const batch = () => tensor([[1, 2], [2, 4], [3, 6], [4, 8]]);

describe('BatchNormalization', () => {
  it('passes the generic layer test in training and inference mode', () => {
    for (const training of [true, false]) {
      runLayerTest(() => new BatchNormalization(), {
        inputShape: [4, 3], expectedOutputShape: [4, 3], expectedTrainableWeights: 2, expectedNonTrainableWeights: 2, training,
      });
    }
    runLayerTest(() => new BatchNormalization({ axis: 1, momentum: 0.9, epsilon: 1e-2 }), {
      inputShape: [2, 3, 2, 2], expectedOutputShape: [2, 3, 2, 2], expectedTrainableWeights: 2, expectedNonTrainableWeights: 2,
    });
    runLayerTest(() => new BatchNormalization({ center: false, scale: false }), {
      inputShape: [3, 2], expectedOutputShape: [3, 2], expectedTrainableWeights: 0, expectedNonTrainableWeights: 2,
    });
  });

  it('has Keras weight names, shapes and initial values', () => {
    const layer = new BatchNormalization();
    layer.ensureBuilt([null, 5, 5, 3]);
    expect(layer.name).toBe('batch_normalization');
    expect(layer.weights.map((w) => w.name)).toEqual([
      'batch_normalization/gamma', 'batch_normalization/beta', 'batch_normalization/moving_mean', 'batch_normalization/moving_variance',
    ]);
    expect(layer.weights.map((w) => Array.from(w.values))).toEqual([[1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
    expect(layer.trainableWeights.map((w) => w.name)).toEqual(['batch_normalization/gamma', 'batch_normalization/beta']);
  });

  it('normalizes with the batch statistics (biased variance) in training mode', () => {
    const layer = new BatchNormalization();
    // Feature 0: [-1.5, -0.5, 0.5, 1.5] / sqrt(1.25 + 0.001) = [-1.3411045, -0.4470348, 0.4470348, 1.3411045]
    // Feature 1: [-3, -1, 1, 3] / sqrt(5 + 0.001) = [-1.3415066, -0.4471689, 0.4471689, 1.3415066]
    const y = layer.apply(batch(), { training: true });
    expectClose(y, [-1.3411045, -1.3415066, -0.4470348, -0.4471689, 0.4470348, 0.4471689, 1.3411045, 1.3415066], { rtol: 1e-5 });
  });

  it('updates the moving statistics as moving * momentum + batch * (1 - momentum)', () => {
    const layer = new BatchNormalization();
    layer.apply(batch(), { training: true });
    // mean: 0 * 0.99 + [2.5, 5] * 0.01 = [0.025, 0.05]; variance: 1 * 0.99 + [1.25, 5] * 0.01 = [1.0025, 1.04]
    expectClose(layer.movingMean!, [0.025, 0.05]);
    expectClose(layer.movingVariance!, [1.0025, 1.04]);
    layer.apply(batch(), { training: true });
    // mean: [0.025 * 0.99 + 0.025, 0.05 * 0.99 + 0.05] = [0.04975, 0.0995]
    // variance: [1.0025 * 0.99 + 0.0125, 1.04 * 0.99 + 0.05] = [1.004975, 1.0796]
    expectClose(layer.movingMean!, [0.04975, 0.0995]);
    expectClose(layer.movingVariance!, [1.004975, 1.0796]);

    const fast = new BatchNormalization({ momentum: 0.5 });
    fast.apply(batch(), { training: true });
    // mean: [2.5, 5] * 0.5 = [1.25, 2.5]; variance: 0.5 + [1.25, 5] * 0.5 = [1.125, 3]
    expectClose(fast.movingMean!, [1.25, 2.5]);
    expectClose(fast.movingVariance!, [1.125, 3]);
  });

  it('uses the moving statistics, gamma and beta at inference and leaves them unchanged', () => {
    const layer = new BatchNormalization();
    layer.ensureBuilt([null, 2]);
    // gamma [2, 0.5], beta [1, -1], moving mean [1, 2], moving variance [3.999, 0.249] so sqrt(var + 1e-3) = [2, 0.5]
    layer.setWeights([tensor([2, 0.5]), tensor([1, -1]), tensor([1, 2]), tensor([3.999, 0.249])]);
    // [(3 - 1) / 2 * 2 + 1, (3 - 2) / 0.5 * 0.5 - 1] = [3, 0]; [(0 - 1) / 2 * 2 + 1, (2 - 2) / 0.5 * 0.5 - 1] = [0, -1]
    expectClose(layer.apply(tensor([[3, 3], [0, 2]]), { training: false }), [3, 0, 0, -1], { atol: 1e-5 });
    expectClose(layer.movingMean!, [1, 2]);
    expectClose(layer.movingVariance!, [3.999, 0.249]);
    // In training mode the same layer normalizes with the batch statistics instead: a batch of two distinct rows
    // maps each feature to -+1 / sqrt(1 + 0.001 / var), times gamma plus beta.
    const y = layer.apply(tensor([[3, 3], [1, 1]]), { training: true });
    // feature 0: mean 2, var 1: [1, -1] / sqrt(1.001) * 2 + 1 = [2.9990005, -0.9990005]
    // feature 1: mean 2, var 1: [1, -1] / sqrt(1.001) * 0.5 - 1 = [-0.5002499, -1.4997501]
    expectClose(y, [2.9990005, -0.5002499, -0.9990005, -1.4997501], { rtol: 1e-5 });
  });

  it('runs in inference mode and freezes its statistics when trainable is false (Keras semantics)', () => {
    const layer = new BatchNormalization();
    layer.ensureBuilt([null, 2]);
    layer.trainable = false;
    const y = layer.apply(batch(), { training: true });
    // Moving mean 0 and variance 1: y = x / sqrt(1.001)
    expectClose(y, Array.from(batch().values, (v) => v / Math.sqrt(1.001)), { rtol: 1e-6 });
    expectClose(layer.movingMean!, [0, 0]);
    expect(layer.trainableWeights).toEqual([]);
  });

  it('normalizes over every axis but `axis`', () => {
    const layer = new BatchNormalization({ axis: 1, center: false, scale: false });
    const x = randomTensor([3, 2, 4, 4], 5, -3, 5);
    const y = layer.apply(x, { training: true });
    expect(layer.movingMean!.shape).toEqual([2]);
    // For each channel on axis 1: mean 0, and mean of squares var / (var + eps), with var the channel's variance.
    for (let c = 0; c < 2; c++) {
      const xs: number[] = [], ys: number[] = [];
      for (let n = 0; n < 3; n++) for (let i = 0; i < 16; i++) { const k = (n * 2 + c) * 16 + i; xs.push(x.values[k]!); ys.push(y.values[k]!); }
      const m = xs.reduce((p, v) => p + v, 0) / xs.length;
      const v = xs.reduce((p, t) => p + (t - m) ** 2, 0) / xs.length;
      expect(Math.abs(ys.reduce((p, t) => p + t, 0) / ys.length)).toBeLessThan(1e-5);
      expect(ys.reduce((p, t) => p + t * t, 0) / ys.length).toBeCloseTo(v / (v + 1e-3), 5);
    }
  });

  it('has correct gradients in training mode (through the batch statistics) and in inference mode', () => {
    const opts = { gammaInitializer: 'random_normal', betaInitializer: 'random_normal' } as const;
    checkLayerGradients(new BatchNormalization(opts), randomTensor([5, 3], 1), { training: true });
    checkLayerGradients(new BatchNormalization(opts), randomTensor([2, 3, 3, 2], 2), { training: true });
    checkLayerGradients(new BatchNormalization({ ...opts, axis: 1 }), randomTensor([3, 2, 2], 3), { training: true });
    checkLayerGradients(new BatchNormalization({ ...opts, movingMeanInitializer: 'random_normal' }), randomTensor([4, 3], 4), { training: false });
  });

  it('keeps the moving statistics out of the autograd graph', () => {
    const layer = new BatchNormalization();
    layer.apply(batch(), { training: true });
    expect(layer.movingMean!.requiresGrad).toBe(false);
    expect(layer.movingMean!.node).toBeNull();
    expect(layer.movingVariance!.node).toBeNull();
  });

  it('rejects bad options and mismatched inputs', () => {
    expect(() => new BatchNormalization({ momentum: 1.5 })).toThrow(/BatchNormalization 'batch_normalization.*': momentum must be a number in \[0, 1\], got 1.5/);
    expect(() => new BatchNormalization({ epsilon: 0 })).toThrow(/epsilon must be a positive number/);
    // @ts-expect-error: misspelled option
    expect(() => new BatchNormalization({ momentun: 0.9 })).toThrow(/unknown option 'momentun' \(did you mean 'momentum'\?\)/);
    expect(() => new BatchNormalization({ axis: 3 }).apply(randomTensor([2, 3], 1))).toThrow(/axis 3 is out of range for an input of rank 2/);
    const layer = new BatchNormalization({ name: 'bn' });
    layer.ensureBuilt([null, 4]);
    expect(() => layer.apply(randomTensor([2, 3], 1))).toThrow("BatchNormalization 'bn' expects 4 features on axis -1, got input of shape [2,3]");
  });
});

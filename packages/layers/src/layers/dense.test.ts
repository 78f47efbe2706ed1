import { describe, expect, it, beforeEach } from 'vitest';
import { Tensor, tensor } from '@minikeras/tensor';
import { expectClose, randomTensor } from '@minikeras/test-utils';
import { Dense } from './dense';
import { clearSession } from '../engine/layer';
import { l2 } from '../regularizers';
import { checkLayerGradients, runLayerTest } from '../testing/run-layer-test';

beforeEach(() => clearSession());

describe('Dense', () => {
  it('passes the generic layer test (rank 2 and rank 3 inputs)', () => {
    runLayerTest(() => new Dense(3, { activation: 'tanh' }), {
      inputShape: [2, 4], expectedOutputShape: [2, 3], expectedTrainableWeights: 2, expectedNonTrainableWeights: 0,
      fromConfig: (c) => new Dense(c.units as number, c),
    });
    runLayerTest(() => new Dense(5, { useBias: false }), {
      inputShape: [2, 3, 4], expectedOutputShape: [2, 3, 5], expectedTrainableWeights: 1, expectedNonTrainableWeights: 0,
      fromConfig: (c) => new Dense(c.units as number, c),
    });
  });

  it('computes activation(x . kernel + bias)', () => {
    const layer = new Dense(3, { activation: 'relu' });
    layer.ensureBuilt([null, 2]);
    layer.setWeights([tensor([[1, -2, 3], [4, 5, -6]]), tensor([0.5, 0, -1])]);
    // x = [1, 2]: [1*1 + 2*4, 1*(-2) + 2*5, 1*3 + 2*(-6)] + b = [9.5, 8, -10], relu -> [9.5, 8, 0]
    // x = [-1, 0]: [-1, 2, -3] + b = [-0.5, 2, -4], relu -> [0, 2, 0]
    expectClose(layer.apply(tensor([[1, 2], [-1, 0]])), [9.5, 8, 0, 0, 2, 0]);
  });

  it('applies the kernel to the last axis of a rank-3 input', () => {
    const layer = new Dense(1, { useBias: false, kernelInitializer: 'ones' });
    // Each row of 3 values is summed: [1+2+3, 4+5+6] per sample.
    const y = layer.apply(tensor([[[1, 2, 3], [4, 5, 6]]]));
    expect(y.shape).toEqual([1, 2, 1]);
    expectClose(y, [6, 15]);
  });

  it('has correct gradients for its input, kernel and bias', () => {
    const layer = new Dense(3, { activation: 'tanh', kernelInitializer: 'glorot_uniform' });
    checkLayerGradients(layer, randomTensor([4, 5], 3));
  });

  it('names its weights dense/kernel and dense/bias, numbering later layers like Keras', () => {
    const a = new Dense(2);
    const b = new Dense(2);
    a.ensureBuilt([null, 3]);
    expect(a.name).toBe('dense');
    expect(b.name).toBe('dense_1');
    expect(a.weights.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias']);
    expect(a.countParams()).toBe(3 * 2 + 2);
  });

  it('adds its regularizer penalties as losses', () => {
    const layer = new Dense(2, { kernelRegularizer: l2(0.1), biasRegularizer: 'l1' });
    layer.ensureBuilt([null, 2]);
    layer.setWeights([tensor([[1, 2], [3, -4]]), tensor([0.5, -1.5])]);
    const [kernelPenalty, biasPenalty] = layer.regularizationLosses() as [Tensor, Tensor];
    // 0.1 * (1 + 4 + 9 + 16) = 3; default l1 = 0.01 * (0.5 + 1.5) = 0.02
    expectClose(kernelPenalty, 3);
    expectClose(biasPenalty, 0.02);
  });

  it('rejects an input whose last dimension does not match, naming the layer', () => {
    const layer = new Dense(10, { name: 'dense_1' });
    layer.ensureBuilt([null, 784]);
    expect(() => layer.apply(randomTensor([2, 28], 1))).toThrow("Dense 'dense_1' expects last dimension 784, got 28");
  });

  it('rejects unknown options and bad units at runtime', () => {
    // @ts-expect-error: misspelled option
    expect(() => new Dense(3, { activaton: 'relu' })).toThrow(/unknown option 'activaton'.*did you mean 'activation'/);
    expect(() => new Dense(0)).toThrow(/units must be a positive integer, got 0/);
    // @ts-expect-error: misspelled activation name
    expect(() => new Dense(3, { activation: 'rellu' })).toThrow(/unknown activation 'rellu'.*did you mean 'relu'/);
  });
});

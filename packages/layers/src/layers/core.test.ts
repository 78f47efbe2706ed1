import { beforeEach, describe, expect, it } from 'vitest';
import { setSeed, tensor } from '@minikeras/tensor';
import { expectClose, gradcheck, randomTensor } from '@minikeras/test-utils';
import { Activation, Dropout, Flatten, Input, InputLayer, Reshape } from './core';
import { clearSession } from '../engine/layer';
import type { ActivationName } from '../activations';
import { checkLayerGradients, runLayerTest } from '../testing/run-layer-test';

beforeEach(() => clearSession());

describe('InputLayer / Input', () => {
  it('passes the generic layer test and keeps values unchanged', () => {
    const { output } = runLayerTest(() => new InputLayer({ shape: [3] }), {
      inputShape: [2, 3], expectedOutputShape: [2, 3], expectedTrainableWeights: 0, expectedNonTrainableWeights: 0,
    });
    expect(output.shape).toEqual([2, 3]);
  });

  it('records the declared shape with a null batch axis', () => {
    expect(Input({ shape: [28, 28, 1] }).shape).toEqual([null, 28, 28, 1]);
    expect(Input({ shape: [4], batchSize: 8 }).shape).toEqual([8, 4]);
    expect(() => new InputLayer()).toThrow(/InputLayer 'input_layer.*': an input shape is required/);
  });
});

describe('Activation', () => {
  it('passes the generic layer test', () => {
    runLayerTest(() => new Activation('softmax'), {
      inputShape: [2, 4], expectedOutputShape: [2, 4], expectedTrainableWeights: 0, expectedNonTrainableWeights: 0,
      fromConfig: (c) => new Activation(c.activation as ActivationName, c),
    });
  });

  it('applies the named function', () => {
    // relu(-1, 0.5, 2) = (0, 0.5, 2)
    expectClose(new Activation('relu').apply(tensor([[-1, 0.5, 2]])), [0, 0.5, 2]);
    // softmax([0, ln 3]) = [1/4, 3/4]
    expectClose(new Activation('softmax').apply(tensor([[0, Math.log(3)]])), [0.25, 0.75]);
    expect(new Activation('leakyRelu').getConfig().activation).toBe('leaky_relu');
  });

  it('has correct input gradients', () => {
    for (const name of ['tanh', 'sigmoid', 'softmax', 'elu', 'gelu'] as const) {
      checkLayerGradients(new Activation(name), randomTensor([3, 4], 5));
    }
  });
});

describe('Dropout', () => {
  it('passes the generic layer test in training and inference mode', () => {
    for (const training of [true, false]) {
      runLayerTest(() => new Dropout(0.5, { seed: 1 }), {
        inputShape: [3, 4], expectedOutputShape: [3, 4], expectedTrainableWeights: 0, expectedNonTrainableWeights: 0, training,
        fromConfig: (c) => new Dropout(c.rate as number, c),
      });
    }
  });

  it('is the identity at inference', () => {
    const x = randomTensor([4, 5], 2);
    expect(Array.from(new Dropout(0.9).apply(x, { training: false }).values)).toEqual(Array.from(x.values));
  });

  it('drops a fraction `rate` in training and scales the survivors by 1 / (1 - rate)', () => {
    const x = tensor(new Float32Array(20000).fill(2), [100, 200]);
    const y = new Dropout(0.3, { seed: 5 }).apply(x, { training: true });
    let dropped = 0;
    for (const v of y.values) {
      if (v === 0) dropped++;
      // 2 / (1 - 0.3) = 2.857142...
      else expect(v).toBeCloseTo(2 / 0.7, 5);
    }
    // The dropped fraction has stddev sqrt(0.3 * 0.7 / 20000) = 0.0032; 0.02 is over 6 sigma.
    expect(Math.abs(dropped / 20000 - 0.3)).toBeLessThan(0.02);
  });

  it('is reproducible with a seed, and draws a new mask on each call', () => {
    const x = randomTensor([10, 10], 3);
    const a = new Dropout(0.5, { seed: 42 });
    const b = new Dropout(0.5, { seed: 42 });
    const a1 = a.apply(x, { training: true });
    expect(Array.from(b.apply(x, { training: true }).values)).toEqual(Array.from(a1.values));
    const a2 = a.apply(x, { training: true });
    expect(Array.from(a2.values)).not.toEqual(Array.from(a1.values));
    expect(Array.from(b.apply(x, { training: true }).values)).toEqual(Array.from(a2.values));
    // Unseeded layers follow the global seed.
    setSeed(9);
    const u1 = new Dropout(0.5).apply(x, { training: true });
    setSeed(9);
    const u2 = new Dropout(0.5).apply(x, { training: true });
    expect(Array.from(u2.values)).toEqual(Array.from(u1.values));
  });

  it('shares one mask along axes of size 1 in noiseShape', () => {
    const x = tensor(new Float32Array(6 * 50).fill(1), [6, 50]);
    const y = new Dropout(0.5, { noiseShape: [null, 1], seed: 3 }).apply(x, { training: true });
    for (let r = 0; r < 6; r++) {
      const row = Array.from(y.values.slice(r * 50, r * 50 + 50));
      // Every value of a row is either all 0 or all 1 / 0.5 = 2.
      expect(new Set(row).size).toBe(1);
      expect([0, 2]).toContain(row[0]);
    }
  });

  it('has the gradient of its mask in training mode', () => {
    // A fresh layer with the same seed draws the same mask, so finite differences see a fixed function.
    gradcheck((x) => new Dropout(0.4, { seed: 11 }).apply(x, { training: true }), [randomTensor([4, 6], 4)]);
  });

  it('rejects a rate outside [0, 1)', () => {
    expect(() => new Dropout(1)).toThrow(/Dropout 'dropout.*': rate must be a number in \[0, 1\), got 1/);
    expect(() => new Dropout(-0.1)).toThrow(/rate must be a number in \[0, 1\)/);
  });
});

describe('Flatten', () => {
  it('passes the generic layer test', () => {
    runLayerTest(() => new Flatten(), { inputShape: [2, 3, 4], expectedOutputShape: [2, 12], expectedTrainableWeights: 0, expectedNonTrainableWeights: 0 });
    runLayerTest(() => new Flatten(), { inputShape: [2, 2, 2, 3], expectedOutputShape: [2, 12] });
  });

  it('keeps row-major order and has identity gradients', () => {
    const x = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expectClose(new Flatten().apply(x), [1, 2, 3, 4, 5, 6, 7, 8]);
    checkLayerGradients(new Flatten(), randomTensor([2, 3, 2], 6));
  });
});

describe('Reshape', () => {
  it('passes the generic layer test, with and without -1', () => {
    const fromConfig = (c: Record<string, unknown>) => new Reshape(c.targetShape as number[], c);
    runLayerTest(() => new Reshape([3, 2]), { inputShape: [2, 6], expectedOutputShape: [2, 3, 2], expectedTrainableWeights: 0, fromConfig });
    runLayerTest(() => new Reshape([-1, 4]), { inputShape: [2, 2, 6], expectedOutputShape: [2, 3, 4], fromConfig });
  });

  it('computes symbolic shapes and rejects impossible targets', () => {
    expect(new Reshape([-1, 2]).computeOutputShape([null, 3, 4])).toEqual([null, 6, 2]);
    const layer = new Reshape([5], { name: 'r' });
    expect(() => layer.apply(randomTensor([2, 6], 1))).toThrow("Reshape 'r': cannot reshape input of shape [2,6] to [batch, 5]");
    expect(() => new Reshape([-1, -1])).toThrow(/at most one -1/);
  });

  it('has identity gradients', () => {
    checkLayerGradients(new Reshape([2, 3]), randomTensor([2, 6], 8));
  });
});

describe('unknown options', () => {
  it('name the layer and the option', () => {
    // @ts-expect-error: Dropout has no 'sed' option
    expect(() => new Dropout(0.5, { sed: 1 })).toThrow(/Dropout 'dropout.*': unknown option 'sed' \(did you mean 'seed'\?\)/);
    // @ts-expect-error: Flatten has no 'units' option
    expect(() => new Flatten({ units: 3 })).toThrow(/unknown option 'units'/);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import { Random, tensor } from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';
import { expectClose, randomTensor } from '@minikeras/test-utils';
import { AveragePooling2D, MaxPooling2D } from './pooling';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from './global-pooling';
import { clearSession } from '../engine/layer';
import { checkLayerGradients, runLayerTest } from '../testing/run-layer-test';

beforeEach(() => clearSession());

const image = (h: number, w: number, values: number[]) => tensor(values, [1, h, w, 1]);
const oneToSixteen = image(4, 4, Array.from({ length: 16 }, (_, i) => i + 1));
const oneToNine = image(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]);

/** Distinct values 0.1 apart in random order, so a +-1e-2 finite-difference step never changes a window's argmax. */
function separated(shape: number[], seed: number): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const order = new Random(seed).shuffle(Float32Array.from({ length: n }, (_, i) => i));
  return tensor(Float32Array.from(order, (v) => v * 0.1 - n * 0.05), shape);
}

describe.each([
  ['MaxPooling2D', MaxPooling2D],
  ['AveragePooling2D', AveragePooling2D],
] as const)('%s', (name, Cls) => {
  it('passes the generic layer test', () => {
    runLayerTest(() => new Cls(), { inputShape: [2, 4, 6, 3], expectedOutputShape: [2, 2, 3, 3], expectedTrainableWeights: 0, expectedNonTrainableWeights: 0 });
    runLayerTest(() => new Cls(3, { strides: 1, padding: 'same' }), { inputShape: [1, 5, 4, 2], expectedOutputShape: [1, 5, 4, 2] });
    runLayerTest(() => new Cls({ poolSize: [2, 3], strides: [1, 2] }), { inputShape: [2, 5, 7, 1], expectedOutputShape: [2, 4, 3, 1] });
  });

  it('takes the pool size positionally or as an option; strides default to the pool size', () => {
    const snake = name === 'MaxPooling2D' ? 'max_pooling2d' : 'average_pooling2d';
    const a = new Cls();
    expect(a.name).toBe(snake);
    expect([a.poolSize, a.strides, a.padding]).toEqual([[2, 2], [2, 2], 'valid']);
    const b = new Cls(3);
    expect(b.name).toBe(`${snake}_1`);
    expect([b.poolSize, b.strides]).toEqual([[3, 3], [3, 3]]);
    const c = new Cls([2, 3], { strides: 1, padding: 'same' });
    expect([c.poolSize, c.strides, c.padding]).toEqual([[2, 3], [1, 1], 'same']);
    const d = new Cls({ poolSize: 4 });
    expect([d.poolSize, d.strides]).toEqual([[4, 4], [4, 4]]);
  });

  it('has correct input gradients (valid and same padding)', () => {
    checkLayerGradients(new Cls(2), separated([2, 4, 5, 2], 1));
    checkLayerGradients(new Cls(3, { strides: 2, padding: 'same' }), separated([1, 5, 5, 2], 2));
    checkLayerGradients(new Cls(2, { strides: 1 }), separated([1, 3, 4, 1], 3));
  });

  it('rejects bad options and inputs', () => {
    expect(() => new Cls(0)).toThrow(new RegExp(`${name} '.*': poolSize must be a positive integer or a pair`));
    // @ts-expect-error: 'causal' is not a 2-D pooling padding
    expect(() => new Cls(2, { padding: 'causal' })).toThrow(/padding must be 'valid' or 'same'/);
    // @ts-expect-error: misspelled option
    expect(() => new Cls({ poolsize: 2 })).toThrow(/unknown option 'poolsize' \(did you mean 'poolSize'\?\)/);
    expect(() => new Cls(2, { name: 'p' }).apply(randomTensor([2, 4, 4], 1))).toThrow(`${name} 'p' expects a 4-D input [batch, height, width, channels], got shape [2,4,4]`);
    expect(() => new Cls(3).apply(randomTensor([1, 2, 5, 1], 1))).toThrow(/is too small for a window of 3x3/);
  });
});

describe('MaxPooling2D values', () => {
  it('takes the maximum of each window, per channel', () => {
    // 2x2 windows of [[1..4], [5..8], [9..12], [13..16]]: max is the bottom-right element.
    expectClose(new MaxPooling2D(2).apply(oneToSixteen), [6, 8, 14, 16]);
    // Overlapping 2x2 windows with stride 1 over 1..9.
    expectClose(new MaxPooling2D(2, { strides: 1 }).apply(oneToNine), [5, 6, 8, 9]);
    // 'same' on 3x3 with stride 2: out 2x2, padding on the bottom/right never wins.
    expectClose(new MaxPooling2D(2, { padding: 'same' }).apply(oneToNine), [5, 6, 8, 9]);
    // Two channels pooled separately: channel 0 holds 1..4, channel 1 holds -1..-4.
    expectClose(new MaxPooling2D(2).apply(tensor([[[[1, -1], [2, -2]], [[3, -3], [4, -4]]]])), [4, -1]);
  });
});

describe('AveragePooling2D values', () => {
  it('averages each window, ignoring padding', () => {
    // (1+2+5+6)/4 = 3.5, (3+4+7+8)/4 = 5.5, (9+10+13+14)/4 = 11.5, (11+12+15+16)/4 = 13.5
    expectClose(new AveragePooling2D(2).apply(oneToSixteen), [3.5, 5.5, 11.5, 13.5]);
    // 'same' on 3x3, stride 2: windows {1,2,4,5} -> 3, {3,6} -> 4.5, {7,8} -> 7.5, {9} -> 9
    expectClose(new AveragePooling2D(2, { padding: 'same' }).apply(oneToNine), [3, 4.5, 7.5, 9]);
  });
});

describe.each([
  ['GlobalAveragePooling2D', GlobalAveragePooling2D, 'global_average_pooling2d'],
  ['GlobalMaxPooling2D', GlobalMaxPooling2D, 'global_max_pooling2d'],
] as const)('%s', (_name, Cls, snake) => {
  it('passes the generic layer test, with and without keepdims', () => {
    expect(new Cls().name).toBe(snake);
    expect(new Cls({ name: 'g' }).name).toBe('g');
    runLayerTest(() => new Cls(), { inputShape: [2, 3, 4, 5], expectedOutputShape: [2, 5], expectedTrainableWeights: 0, expectedNonTrainableWeights: 0 });
    runLayerTest(() => new Cls({ keepdims: true }), { inputShape: [2, 3, 4, 5], expectedOutputShape: [2, 1, 1, 5] });
  });

  it('has correct input gradients', () => {
    checkLayerGradients(new Cls(), separated([2, 3, 3, 2], 4));
  });

  it('rejects inputs that are not 4-D', () => {
    expect(() => new Cls({ name: 'g' }).apply(randomTensor([2, 3], 1))).toThrow(/'g' expects a 4-D input/);
    expect(() => new Cls().computeOutputShape([null, 3])).toThrow(/expects a 4-D input/);
  });
});

describe('global pooling values', () => {
  // Channel 0 holds 1, 2, 3, 4 and channel 1 holds 10, -20, 30, 0 over a 2x2 image.
  const x = tensor([[[[1, 10], [2, -20]], [[3, 30], [4, 0]]]]);
  it('GlobalAveragePooling2D averages each channel', () => {
    // (1+2+3+4)/4 = 2.5, (10-20+30+0)/4 = 5
    expectClose(new GlobalAveragePooling2D().apply(x), [2.5, 5]);
    expect(new GlobalAveragePooling2D({ keepdims: true }).apply(x).shape).toEqual([1, 1, 1, 2]);
  });
  it('GlobalMaxPooling2D takes the maximum of each channel', () => {
    expectClose(new GlobalMaxPooling2D().apply(x), [4, 30]);
  });
});

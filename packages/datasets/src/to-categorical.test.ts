import { Tensor } from '@minikeras/tensor';
import { describe, expect, it } from 'vitest';
import { toCategorical } from './to-categorical';

describe('toCategorical', () => {
  it('one-hot encodes int32 labels as float32 [n, numClasses]', () => {
    const y = toCategorical(new Tensor(Int32Array.of(0, 2, 1), [3], 'int32'), 4);
    expect(y.shape).toEqual([3, 4]);
    expect(y.dtype).toBe('float32');
    expect(y.arraySync()).toEqual([
      [1, 0, 0, 0],
      [0, 0, 1, 0],
      [0, 1, 0, 0],
    ]);
  });

  it('infers numClasses as max + 1 and accepts plain arrays', () => {
    expect(toCategorical([3, 0]).arraySync()).toEqual([
      [0, 0, 0, 1],
      [1, 0, 0, 0],
    ]);
  });

  it('drops a trailing dimension of 1, as Keras does, and keeps other dimensions', () => {
    expect(toCategorical(new Tensor(Int32Array.of(1, 0), [2, 1], 'int32'), 2).shape).toEqual([2, 2]);
    expect(toCategorical(new Tensor(Float32Array.of(1, 0, 2, 2), [2, 2]), 3).shape).toEqual([2, 2, 3]);
  });

  it('rejects labels that are not class indices', () => {
    expect(() => toCategorical([0, 10], 10)).toThrow('toCategorical: label 10 does not fit numClasses 10 (labels must be 0..9)');
    expect(() => toCategorical([0, 1.5])).toThrow('toCategorical: label 1.5 at index 1 is not a non-negative integer');
    expect(() => toCategorical([-1])).toThrow('label -1 at index 0 is not a non-negative integer');
    expect(() => toCategorical([0], 0)).toThrow('numClasses must be a positive integer, got 0');
  });
});

/** The Tensor / Variable API: creation, dtypes, dataSync/arraySync/item, printing, errors. */
import { describe, expect, it } from 'vitest';
import * as mk from './index';

describe('tensor() creation', () => {
  it('from nested arrays, flat arrays with a shape, and typed arrays', () => {
    const a = mk.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.rank).toBe(2);
    expect(a.size).toBe(6);
    expect(a.dtype).toBe('float32');
    expect(Array.from(a.values)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(mk.tensor([1, 2, 3, 4], [2, 2]).arraySync()).toEqual([[1, 2], [3, 4]]);
    // Nested input whose last level holds the remaining axes flattened (tfjs allows this).
    expect(mk.tensor([[1, 2, 3, 4]], [1, 2, 2]).shape).toEqual([1, 2, 2]);
    expect(mk.tensor(5).shape).toEqual([]);
    expect(mk.tensor([]).shape).toEqual([0]);
    expect(mk.tensor([[], []]).shape).toEqual([2, 0]);
    expect(mk.tensor([true, false]).arraySync()).toEqual([1, 0]);
  });

  it('copies typed arrays so later writes do not leak in', () => {
    const src = new Float32Array([1, 2]);
    const t = mk.tensor(src);
    src[0] = 99;
    expect(t.arraySync()).toEqual([1, 2]);
    const copy = mk.tensor(t, [2, 1]);
    expect(copy.values).not.toBe(t.values);
    expect(copy.shape).toEqual([2, 1]);
  });

  it('int32: from Int32Array, by dtype, and by conversion of a tensor', () => {
    expect(mk.tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    const i = mk.tensor([1.9, -1.9, 3], [3], 'int32');
    expect(i.dtype).toBe('int32');
    expect(i.values).toBeInstanceOf(Int32Array);
    expect(i.arraySync()).toEqual([1, -1, 3]); // truncated toward zero, as Int32Array stores
    const f = mk.tensor(i, undefined, 'float32');
    expect(f.values).toBeInstanceOf(Float32Array);
    expect(f.dtype).toBe('float32');
  });

  it('ragged or malformed input throws, naming the position', () => {
    expect(() => mk.tensor([[1, 2], [3]])).toThrow(/^tensor: ragged array: element at \[1\] has length 1, expected length 2 \(inferred shape \[2,2\]\)$/);
    expect(() => mk.tensor([[1, 2], 3] as unknown as number[][])).toThrow(/^tensor: ragged array: element at \[1\] has a number, expected length 2/);
    expect(() => mk.tensor([1, [2]] as unknown as number[])).toThrow(/^tensor: ragged array: element at \[1\] is an array, expected a number$/);
    expect(() => mk.tensor([[[1], [2]], [[3], [4, 5]]])).toThrow(/^tensor: ragged array: element at \[1,1\] has length 2, expected length 1/);
    expect(() => mk.tensor(['a'] as unknown as number[])).toThrow(/^tensor: element at \[0\] is string, expected a number$/);
    expect(() => mk.tensor([1, 2, 3], [2, 2])).toThrow(/^tensor: 3 values cannot fill shape \[2,2\] \(needs 4\)$/);
    expect(() => mk.tensor([[1, 2], [3, 4]], [4])).toThrow(/^tensor: nested array of shape \[2,2\] does not match the given shape \[4\]$/);
    expect(() => mk.tensor([1, 2], [-1, -2])).toThrow(/^tensor: invalid shape \[-1,-2\]; dimensions must be non-negative integers$/);
    expect(() => mk.tensor(new Float32Array(3), [2])).toThrow(/^tensor: 3 values do not fill shape \[2\] \(needs 2\)$/);
  });
});

describe('creation helpers', () => {
  it('scalar, zeros, ones, fill, zerosLike, onesLike', () => {
    expect(mk.scalar(3).arraySync()).toBe(3);
    expect(mk.scalar(3, 'int32').dtype).toBe('int32');
    expect(mk.zeros([2, 2]).arraySync()).toEqual([[0, 0], [0, 0]]);
    expect(mk.ones([2], 'int32').dtype).toBe('int32');
    expect(mk.fill([3], 7).arraySync()).toEqual([7, 7, 7]);
    expect(mk.fill([2], NaN).values.every(Number.isNaN)).toBe(true);
    expect(mk.zerosLike(mk.ones([2], 'int32')).dtype).toBe('int32');
    expect(mk.onesLike(mk.zeros([1, 2])).arraySync()).toEqual([[1, 1]]);
    expect(() => mk.zeros([2, -1])).toThrow(/^fill: invalid shape \[2,-1\]; dimensions must be non-negative integers$/);
  });

  it('range like np.arange / tf.range', () => {
    expect(mk.range(4).arraySync()).toEqual([0, 1, 2, 3]);
    expect(mk.range(1, 4).arraySync()).toEqual([1, 2, 3]);
    expect(mk.range(5, 0, -2).arraySync()).toEqual([5, 3, 1]);
    expect(mk.range(0, 1, 0.25).arraySync()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(mk.range(3, 1).arraySync()).toEqual([]);
    expect(mk.range(0, 3, 1, 'int32').dtype).toBe('int32');
    expect(() => mk.range(0, 3, 0)).toThrow(/^range: step must not be 0$/);
  });

  it('eye, square and rectangular', () => {
    expect(mk.eye(2).arraySync()).toEqual([[1, 0], [0, 1]]);
    expect(mk.eye(2, 3).arraySync()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(() => mk.eye(-1)).toThrow(/^eye: invalid shape \[-1,-1\]; dimensions must be non-negative integers$/);
  });
});

describe('reading values', () => {
  it('dataSync returns a copy; the tensor never changes through it', () => {
    const t = mk.tensor([1, 2, 3]);
    const d = t.dataSync();
    d[0] = 100;
    expect(t.arraySync()).toEqual([1, 2, 3]);
    expect(d).not.toBe(t.values);
    expect(t.dataSync()).toBeInstanceOf(Float32Array);
    expect(mk.tensor([1], [1], 'int32').dataSync()).toBeInstanceOf(Int32Array);
  });

  it('data() and array() resolve to the same as the sync forms', async () => {
    const t = mk.tensor([[1, 2]]);
    expect(Array.from(await t.data())).toEqual([1, 2]);
    expect(await t.array()).toEqual([[1, 2]]);
  });

  it('arraySync nests one array per axis', () => {
    expect(mk.scalar(2.5).arraySync()).toBe(2.5);
    expect(mk.tensor([1, 2]).arraySync()).toEqual([1, 2]);
    expect(mk.range(0, 6).reshape([2, 1, 3]).arraySync()).toEqual([[[0, 1, 2]], [[3, 4, 5]]]);
    expect(mk.zeros([2, 0]).arraySync()).toEqual([[], []]);
    expect(mk.zeros([0, 2]).arraySync()).toEqual([]);
  });

  it('item() returns the one value, or throws', () => {
    expect(mk.scalar(4).item()).toBe(4);
    expect(mk.tensor([[7]]).item()).toBe(7);
    expect(() => mk.tensor([1, 2]).item()).toThrow(/^item: tensor of shape \[2\] has 2 values, expected 1$/);
  });

  it('shape is frozen', () => {
    const t = mk.zeros([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
    expect(() => { (t.shape as number[])[0] = 5; }).toThrow(TypeError);
  });

  it('clone copies values and drops the graph', () => {
    const v = mk.variable([1, 2]);
    const y = v.mul(2);
    const c = y.clone();
    expect(c.values).not.toBe(y.values);
    expect(c.node).toBeNull();
    expect(c.arraySync()).toEqual([2, 4]);
  });
});

describe('toString prints like tfjs', () => {
  it('vectors and matrices (columns padded to a common width)', () => {
    expect(mk.tensor([1, 2, 3]).toString()).toBe('Tensor\n    [1, 2, 3]');
    expect(mk.tensor([[1.5, 2], [3, -4.25]]).toString()).toBe('Tensor\n    [[1.5, 2    ],\n     [3  , -4.25]]');
    expect(mk.scalar(0.1).toString()).toBe('Tensor\n    0.1');
    // At most 7 decimals: float32(1/3) = 0.3333333432674408 prints as 0.3333333.
    expect(mk.tensor([1 / 3, NaN, -Infinity]).toString()).toBe('Tensor\n    [0.3333333, NaN, -Infinity]');
  });

  it('verbose adds dtype, rank and shape', () => {
    expect(mk.tensor([[1, 2]], [1, 2], 'int32').toString(true)).toBe('Tensor\n  dtype: int32\n  rank: 2\n  shape: [1,2]\n  values:\n    [[1, 2]]');
  });

  it('rank 3 separates blocks with a blank line', () => {
    expect(mk.range(0, 8).reshape([2, 2, 2]).toString()).toBe(
      'Tensor\n    [[[0, 1],\n      [2, 3]],\n\n     [[4, 5],\n      [6, 7]]]',
    );
  });

  it('long axes show the first and last three entries', () => {
    expect(mk.range(0, 30).toString()).toBe('Tensor\n    [0, 1, 2, ..., 27, 28, 29]');
    expect(mk.range(0, 50).reshape([25, 2]).toString()).toBe(
      'Tensor\n    [[0 , 1 ],\n     [2 , 3 ],\n     [4 , 5 ],\n     ...,\n     [44, 45],\n     [46, 47],\n     [48, 49]]',
    );
  });
});

describe('Variable', () => {
  it('copies its initial value; assign overwrites in place', () => {
    const init = mk.tensor([1, 2]);
    const v = mk.variable(init, { name: 'w' });
    expect(v).toBeInstanceOf(mk.Tensor);
    expect(v.name).toBe('w');
    expect(v.values).not.toBe(init.values);
    const buffer = v.values;
    v.assign(mk.tensor([3, 4]));
    expect(v.values).toBe(buffer);
    expect(v.arraySync()).toEqual([3, 4]);
    expect(init.arraySync()).toEqual([1, 2]);
  });

  it('has a default name and is trainable by default', () => {
    const v = mk.variable(mk.zeros([1]));
    expect(v.name).toMatch(/^variable_\d+$/);
    expect(v.trainable).toBe(true);
    expect(mk.variable(1, { trainable: false }).trainable).toBe(false);
  });

  it('assign of a different shape throws, naming the variable', () => {
    const v = mk.variable(mk.zeros([2, 2]), { name: 'kernel' });
    expect(() => v.assign(mk.zeros([4]))).toThrow(/^Variable 'kernel'\.assign: shape \[4\] does not match the variable's shape \[2,2\]$/);
  });

  it('works wherever a tensor does', () => {
    const v = mk.variable([[1, 2], [3, 4]]);
    expect(mk.matmul(v, v).arraySync()).toEqual([[7, 10], [15, 22]]);
    expect(v.add(1).sum().item()).toBe(14);
  });
});

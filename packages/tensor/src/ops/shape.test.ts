/** Forward values and error messages of the shape / data-movement ops. */
import { describe, expect, it } from 'vitest';
import * as mk from '../index';

const t = mk.tensor;
/** [[0,1,2,3],[4,5,6,7],[8,9,10,11]] */
const x34 = () => mk.range(0, 12).reshape([3, 4]);

describe('reshape, flatten, expandDims, squeeze', () => {
  it('reshape keeps row-major order and infers one -1', () => {
    expect(mk.reshape(x34(), [2, 6]).arraySync()).toEqual([[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]);
    expect(mk.reshape(x34(), [-1, 3]).shape).toEqual([4, 3]);
    expect(mk.reshape(mk.scalar(5), [1, 1]).arraySync()).toEqual([[5]]);
    expect(mk.reshape(mk.zeros([0, 3]), [3, 0]).shape).toEqual([3, 0]);
    expect(mk.reshape(t([1, 2], [2], 'int32'), [2, 1]).dtype).toBe('int32');
  });

  it('reshape errors name the sizes', () => {
    expect(() => mk.reshape(mk.zeros([2, 3]), [4])).toThrow(/^reshape: cannot reshape tensor of shape \[2,3\] \(6 values\) to \[4\] \(4 values\)$/);
    expect(() => mk.reshape(mk.zeros([2, 3]), [-1, 4])).toThrow(/^reshape: cannot reshape tensor of shape \[2,3\] \(6 values\) to \[-1,4\]$/);
    expect(() => mk.reshape(mk.zeros([2, 3]), [-1, -1])).toThrow(/^reshape: only one dimension can be -1, got \[-1,-1\]$/);
    expect(() => mk.reshape(mk.zeros([2, 3]), [2.5, 2.4])).toThrow(/^reshape: cannot reshape/);
  });

  it('flatten, expandDims, squeeze', () => {
    expect(mk.flatten(t([[1, 2], [3, 4]])).arraySync()).toEqual([1, 2, 3, 4]);
    expect(mk.expandDims(t([1, 2])).shape).toEqual([1, 2]);
    expect(mk.expandDims(t([1, 2]), 1).arraySync()).toEqual([[1], [2]]);
    expect(mk.expandDims(t([1, 2]), -1).shape).toEqual([2, 1]);
    expect(mk.squeeze(mk.zeros([1, 3, 1, 2])).shape).toEqual([3, 2]);
    expect(mk.squeeze(mk.zeros([1, 3, 1]), [-1]).shape).toEqual([1, 3]);
    expect(() => mk.expandDims(t([1, 2]), 3)).toThrow(/^expandDims: axis 3 is out of range for a tensor of rank 2/);
    expect(() => mk.squeeze(mk.zeros([1, 3]), [1])).toThrow(/^squeeze: axis 1 has size 3, expected 1 \(shape \[1,3\]\)$/);
  });
});

describe('transpose', () => {
  it('reverses axes by default and follows perm', () => {
    expect(mk.transpose(t([[1, 2, 3], [4, 5, 6]])).arraySync()).toEqual([[1, 4], [2, 5], [3, 6]]);
    // perm [2, 0, 1]: out[k][i][j] = x[i][j][k] with x[i][j][k] = 12i + 4j + k.
    const y = mk.transpose(mk.range(0, 24).reshape([2, 3, 4]), [2, 0, 1]);
    expect(y.shape).toEqual([4, 2, 3]);
    const a = y.arraySync() as number[][][];
    expect(a[3]![1]![2]).toBe(12 * 1 + 4 * 2 + 3);
    expect(a[0]![0]).toEqual([0, 4, 8]);
    expect(mk.transpose(t([1, 2], [2], 'int32')).dtype).toBe('int32');
  });

  it('rejects a bad permutation', () => {
    expect(() => mk.transpose(mk.zeros([2, 3]), [0, 0])).toThrow(/^transpose: perm \[0,0\] is not a permutation of the 2 axes of shape \[2,3\]$/);
    expect(() => mk.transpose(mk.zeros([2, 3]), [1, 0, 2])).toThrow(/^transpose: perm/);
  });
});

describe('concat, stack, unstack, split', () => {
  it('concat along each axis', () => {
    expect(mk.concat([t([[1, 2]]), t([[3, 4], [5, 6]])]).arraySync()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(mk.concat([t([[1], [2]]), t([[3, 4], [5, 6]])], 1).arraySync()).toEqual([[1, 3, 4], [2, 5, 6]]);
    expect(mk.concat([t([1, 2]), t([3])], -1).arraySync()).toEqual([1, 2, 3]);
    expect(mk.concat([t([1], [1], 'int32'), t([2], [1], 'int32')]).dtype).toBe('int32');
    expect(() => mk.concat([mk.zeros([2, 3]), mk.zeros([2, 4])], 0)).toThrow(/^concat: shapes \[2,3\] and \[2,4\] differ outside axis 0$/);
    expect(() => mk.concat([mk.zeros([2, 3])], 2)).toThrow(/^concat: axis 2 is out of range/);
    expect(() => mk.concat([])).toThrow(/^concat: expected at least one tensor$/);
  });

  it('stack adds an axis, unstack removes it', () => {
    expect(mk.stack([t([1, 2]), t([3, 4])]).arraySync()).toEqual([[1, 2], [3, 4]]);
    expect(mk.stack([t([1, 2]), t([3, 4])], 1).arraySync()).toEqual([[1, 3], [2, 4]]);
    expect(mk.unstack(t([[1, 2], [3, 4]])).map((u) => u.arraySync())).toEqual([[1, 2], [3, 4]]);
    expect(mk.unstack(t([[1, 2], [3, 4]]), 1).map((u) => u.arraySync())).toEqual([[1, 3], [2, 4]]);
    expect(() => mk.stack([mk.zeros([2]), mk.zeros([3])])).toThrow(/^stack: shapes \[2\] and \[3\] differ$/);
  });

  it('split into equal parts or given sizes', () => {
    const parts = mk.split(x34(), 2, 1);
    expect(parts.map((p) => p.arraySync())).toEqual([[[0, 1], [4, 5], [8, 9]], [[2, 3], [6, 7], [10, 11]]]);
    expect(mk.split(x34(), [1, -1, 1], 1).map((p) => p.shape)).toEqual([[3, 1], [3, 2], [3, 1]]);
    expect(() => mk.split(x34(), 3, 1)).toThrow(/^split: axis 1 of size 4 cannot be split into 3 equal parts$/);
    expect(() => mk.split(x34(), [1, 2], 1)).toThrow(/^split: sizes \[1,2\] do not add up to 4, the size of axis 1$/);
  });
});

describe('slice, gather, oneHot', () => {
  it('slice with begin/size, -1 sizes and a number begin (tfjs)', () => {
    expect(mk.slice(x34(), [1, 1], [2, 2]).arraySync()).toEqual([[5, 6], [9, 10]]);
    expect(mk.slice(x34(), [0, 2], [-1, 1]).arraySync()).toEqual([[2], [6], [10]]);
    expect(mk.slice(x34(), 2).arraySync()).toEqual([[8, 9, 10, 11]]);
    expect(mk.slice(x34(), [1]).shape).toEqual([2, 4]);
    expect(mk.slice(x34(), [0, 0], [0, 4]).shape).toEqual([0, 4]);
    expect(() => mk.slice(x34(), [2, 0], [2, 4])).toThrow(/^slice: begin \[2,0\] and size \[2,4\] fall outside shape \[3,4\] on axis 0$/);
    expect(() => mk.slice(x34(), [0, 0, 0])).toThrow(/^slice: begin \[0,0,0\] and size \[\] have more entries than the rank 2 of shape \[3,4\]$/);
  });

  it('gather picks rows or columns, with repeats and nested indices', () => {
    const x = t([[1, 2], [3, 4], [5, 6]]);
    expect(mk.gather(x, [2, 0]).arraySync()).toEqual([[5, 6], [1, 2]]);
    expect(mk.gather(x, t([1, 1], [2], 'int32'), 1).arraySync()).toEqual([[2, 2], [4, 4], [6, 6]]);
    expect(mk.gather(x, [[0], [2]]).shape).toEqual([2, 1, 2]);
    expect(() => mk.gather(x, [3])).toThrow(/^gather: index 3 is out of range for axis 0 of size 3$/);
    expect(() => mk.gather(x, [0.5])).toThrow(/^gather: index 0.5 is out of range/);
  });

  it('oneHot', () => {
    expect(mk.oneHot(t([0, 2], [2], 'int32'), 3).arraySync()).toEqual([[1, 0, 0], [0, 0, 1]]);
    expect(mk.oneHot([1], 2, 5, -1).arraySync()).toEqual([[-1, 5]]);
    expect(() => mk.oneHot([3], 3)).toThrow(/^oneHot: index 3 at position 0 is out of range \[0, 3\)$/);
  });
});

describe('pad, tile, broadcastTo', () => {
  it('pad with zeros and with a constant', () => {
    expect(mk.pad(t([[1, 2]]), [[1, 0], [0, 2]]).arraySync()).toEqual([[0, 0, 0, 0], [1, 2, 0, 0]]);
    // The interior keeps x's values (not x + constant).
    expect(mk.pad(t([[1, 2]]), [[1, 0], [0, 2]], 9).arraySync()).toEqual([[9, 9, 9, 9], [1, 2, 9, 9]]);
    expect(mk.pad(t([1, 2], [2], 'int32'), [[1, 1]], 7).arraySync()).toEqual([7, 1, 2, 7]);
    expect(() => mk.pad(t([1]), [[1, 1], [0, 0]])).toThrow(/^pad: expected 1 \[before, after\] pairs for shape \[1\], got 2$/);
    expect(() => mk.pad(t([1]), [[-1, 0]])).toThrow(/^pad: paddings must be non-negative integers, got \[-1, 0\]$/);
  });

  it('tile repeats along each axis', () => {
    expect(mk.tile(t([[1, 2]]), [2, 2]).arraySync()).toEqual([[1, 2, 1, 2], [1, 2, 1, 2]]);
    expect(mk.tile(t([1, 2, 3]), [2]).arraySync()).toEqual([1, 2, 3, 1, 2, 3]);
    expect(mk.tile(t([[1], [2]]), [1, 3]).arraySync()).toEqual([[1, 1, 1], [2, 2, 2]]);
    expect(() => mk.tile(t([1]), [1, 2])).toThrow(/^tile: expected 1 repetitions for shape \[1\], got 2$/);
    expect(() => mk.tile(t([1]), [-1])).toThrow(/^tile: repetitions must be non-negative integers, got \[-1\]$/);
  });

  it('broadcastTo materializes NumPy broadcasting', () => {
    expect(mk.broadcastTo(t([1, 2, 3]), [2, 3]).arraySync()).toEqual([[1, 2, 3], [1, 2, 3]]);
    expect(mk.broadcastTo(t([[1], [2]]), [2, 2]).arraySync()).toEqual([[1, 1], [2, 2]]);
    expect(mk.broadcastTo(mk.scalar(4), [2]).arraySync()).toEqual([4, 4]);
    expect(() => mk.broadcastTo(t([1, 2]), [3])).toThrow(/^broadcastTo: shape \[2\] cannot be broadcast to \[3\]$/);
    expect(() => mk.broadcastTo(mk.zeros([2, 2]), [2])).toThrow(/^broadcastTo: shape \[2,2\] cannot be broadcast to \[2\]$/);
  });
});

/** Forward values of reductions and the softmax family, computed by hand in the comments. */
import { describe, expect, it } from 'vitest';
import { expectClose } from '@minikeras/test-utils';
import * as mk from '../index';

const t = mk.tensor;
const close = (actual: mk.Tensor, expected: number[], rtol = 1e-6) => expectClose(actual, expected, { rtol, atol: 1e-7 });
const x23 = () => t([[1, 2, 3], [4, 5, 6]]);

describe('sum, mean, max, min, prod', () => {
  it('over all axes, one axis, negative axes and keepDims', () => {
    const x = x23();
    expect(mk.sum(x).arraySync()).toBe(21); // 1+2+3+4+5+6
    expect(mk.sum(x).shape).toEqual([]);
    expect(mk.sum(x, 0).arraySync()).toEqual([5, 7, 9]); // column sums
    expect(mk.sum(x, -1).arraySync()).toEqual([6, 15]); // row sums
    expect(mk.sum(x, 1, true).arraySync()).toEqual([[6], [15]]);
    expect(mk.sum(x, [0, 1], true).shape).toEqual([1, 1]);
    expect(mk.mean(x).arraySync()).toBe(3.5); // 21 / 6
    expect(mk.mean(x, 0).arraySync()).toEqual([2.5, 3.5, 4.5]);
    expect(mk.max(x, 1).arraySync()).toEqual([3, 6]);
    expect(mk.min(x, 0).arraySync()).toEqual([1, 2, 3]);
    expect(mk.max(x).arraySync()).toBe(6);
    expect(mk.prod(x).arraySync()).toBe(720); // 6!
    expect(mk.prod(x, 1).arraySync()).toEqual([6, 120]); // 1*2*3, 4*5*6
    expect(x.sum(0).arraySync()).toEqual([5, 7, 9]);
  });

  it('over non-contiguous axes', () => {
    // x[i][j][k] = 12i + 4j + k on [2,3,4]; summing over i and k gives, per j,
    // sum_i sum_k (12i + 4j + k) = 4 * 12 * (0 + 1) + 8 * 4j + 2 * (0+1+2+3) = 48 + 32j + 12.
    const x = mk.range(0, 24).reshape([2, 3, 4]);
    expect(mk.sum(x, [0, 2]).arraySync()).toEqual([60, 92, 124]);
    expect(mk.sum(x, [2, 0], true).shape).toEqual([1, 3, 1]);
    // max over i and k: the largest is at i = 1, k = 3: 12 + 4j + 3.
    expect(mk.max(x, [0, -1]).arraySync()).toEqual([15, 19, 23]);
    expect(mk.mean(x, [0, 2]).arraySync()).toEqual([60 / 8, 92 / 8, 124 / 8]);
  });

  it('empty axis lists and empty tensors', () => {
    expect(mk.sum(x23(), []).arraySync()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(mk.sum(mk.zeros([0])).arraySync()).toBe(0);
    expect(mk.prod(mk.zeros([0])).arraySync()).toBe(1);
    expect(mk.max(mk.zeros([0])).arraySync()).toBe(-Infinity);
  });

  it('reductions of int32 tensors return float32', () => {
    const s = mk.sum(t([1, 2, 3], [3], 'int32'));
    expect(s.arraySync()).toBe(6);
    expect(mk.mean(t([1, 2], [2], 'int32')).arraySync()).toBe(1.5);
  });

  it('argMax and argMin return int32 indices of the first extreme', () => {
    const x = t([[1, 3, 2], [9, 0, 9]]);
    const am = mk.argMax(x, -1);
    expect(am.dtype).toBe('int32');
    expect(am.arraySync()).toEqual([1, 0]); // ties: the first 9 wins
    // The default axis is 0, as in tfjs: per column, the row of the largest value.
    expect(mk.argMax(x).arraySync()).toEqual([1, 0, 1]);
    expect(x.argMax().arraySync()).toEqual([1, 0, 1]);
    expect(mk.argMin(x, 1).arraySync()).toEqual([0, 1]);
    expect(x.argMin(0).arraySync()).toEqual([0, 1, 0]);
  });

  it('axis errors name the op', () => {
    expect(() => mk.sum(x23(), 2)).toThrow(/^sum: axis 2 is out of range for a tensor of rank 2 \(expected -2 <= axis < 2\)$/);
    expect(() => mk.mean(x23(), -3)).toThrow(/^mean: axis -3 is out of range/);
    expect(() => mk.max(x23(), [0, 5])).toThrow(/^max: axis 5 is out of range/);
    expect(() => mk.argMax(x23(), 2)).toThrow(/^argMax: axis 2 is out of range/);
    expect(() => mk.softmax(x23(), 2)).toThrow(/^softmax: axis 2 is out of range/);
    expect(() => mk.logSumExp(x23(), 1.5)).toThrow(/^logSumExp: axis 1.5 is out of range/);
    // From plain JavaScript, a string axis gets a clear message rather than a TypeError.
    expect(() => mk.sum(x23(), 'rows' as unknown as number)).toThrow(/^sum: axis must be a number or an array of numbers, got string "rows"$/);
    expect(() => mk.softmax(mk.scalar(1))).toThrow(/^softmax: expected a tensor of rank >= 1, got a scalar$/);
  });

  it('NaN propagates through max/min/sum; argMax returns the first NaN (NumPy)', () => {
    close(mk.max(t([1, NaN, 3])), [NaN]);
    close(mk.max(t([NaN, 1])), [NaN]);
    close(mk.min(t([1, 2, NaN])), [NaN]);
    close(mk.sum(t([1, NaN])), [NaN]);
    close(mk.max(t([1, -Infinity, Infinity])), [Infinity]);
    expect(mk.argMax(t([1, NaN, 3, NaN])).arraySync()).toBe(1);
    expect(mk.argMin(t([1, NaN, 3])).arraySync()).toBe(1);
  });
});

describe('softmax, logSoftmax, logSumExp', () => {
  it('softmax([1,2,3]) = e^x / sum e^x', () => {
    // e^1, e^2, e^3 = 2.718, 7.389, 20.086; sum 30.193
    close(mk.softmax(t([1, 2, 3])), [0.09003057317038046, 0.24472847105479767, 0.6652409557748219]);
    // Rows are independent and sum to one; axis 0 works on columns.
    const s = mk.softmax(t([[1, 2, 3], [1, 1, 1]]));
    close(s, [0.09003057317038046, 0.24472847105479767, 0.6652409557748219, 1 / 3, 1 / 3, 1 / 3]);
    close(mk.softmax(t([[1, 1], [2, 1], [3, 1]]), 0), [0.09003057317038046, 1 / 3, 0.24472847105479767, 1 / 3, 0.6652409557748219, 1 / 3]);
  });

  it('is shift-invariant and stable for large inputs', () => {
    // softmax(x + 1000) = softmax(x); a naive e^1000 would overflow to Infinity.
    close(mk.softmax(t([1001, 1002, 1003])), [0.09003057317038046, 0.24472847105479767, 0.6652409557748219]);
    close(mk.softmax(t([-1000, -1000])), [0.5, 0.5]);
    close(mk.logSoftmax(t([1000, 0])), [0, -1000]);
  });

  it('logSoftmax([1,2,3]) = x - log(sum e^x), logSumExp([1,2,3]) = 3.40760596444438', () => {
    close(mk.logSoftmax(t([1, 2, 3])), [-2.40760596444438, -1.4076059644443801, -0.4076059644443803]);
    close(mk.logSumExp(t([1, 2, 3])), [3.40760596444438]);
    // logSumExp([1000, 1000]) = 1000 + log 2
    close(mk.logSumExp(t([1000, 1000])), [1000.6931471805599]);
    const l = mk.logSumExp(t([[1, 2, 3], [1000, 1000, -Infinity]]), 1, true);
    expect(l.shape).toEqual([2, 1]);
    close(l, [3.40760596444438, 1000.6931471805599]);
  });

  it('-Infinity entries get probability 0; all -Infinity or +Infinity rows are NaN (as TF)', () => {
    close(mk.softmax(t([-Infinity, 0, 0])), [0, 0.5, 0.5]);
    close(mk.logSoftmax(t([-Infinity, 0])), [-Infinity, 0]);
    // A masked row: e^(-inf - -inf) is undefined, TF gives NaN.
    close(mk.softmax(t([-Infinity, -Infinity])), [NaN, NaN]);
    close(mk.softmax(t([Infinity, 0])), [NaN, NaN]); // inf - inf = nan poisons the sum
    close(mk.softmax(t([NaN, 0])), [NaN, NaN]);
    close(mk.logSumExp(t([-Infinity, -Infinity])), [-Infinity]);
    close(mk.logSumExp(t([Infinity, 0])), [Infinity]);
  });

  it('gradient through softmax with a -Infinity entry stays finite', () => {
    const [g] = mk.grads((x: mk.Tensor) => mk.softmax(x).mul(t([1, 2, 3])).sum())(t([-Infinity, 0, 0]));
    // d/dx_i sum_j w_j s_j = s_i (w_i - sum_j w_j s_j); s = [0, .5, .5], sum w s = 2.5
    close(g!, [0, 0.5 * (2 - 2.5), 0.5 * (3 - 2.5)]);
  });
});

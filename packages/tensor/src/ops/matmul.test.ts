/** matmul / dot forward values (hand-computed), batching, broadcasting of batch axes, errors, IEEE cases. */
import { describe, expect, it } from 'vitest';
import * as mk from '../index';

const t = mk.tensor;
const A = () => t([[1, 2], [3, 4]]);
const B = () => t([[5, 6], [7, 8]]);

describe('matmul', () => {
  it('the four transpose combinations of 2x2 matrices', () => {
    // A·B = [[1*5+2*7, 1*6+2*8], [3*5+4*7, 3*6+4*8]]
    expect(mk.matmul(A(), B()).arraySync()).toEqual([[19, 22], [43, 50]]);
    // Aᵀ·B = [[1,3],[2,4]]·B = [[1*5+3*7, 1*6+3*8], [2*5+4*7, 2*6+4*8]]
    expect(mk.matmul(A(), B(), true, false).arraySync()).toEqual([[26, 30], [38, 44]]);
    // A·Bᵀ = A·[[5,7],[6,8]] = [[1*5+2*6, 1*7+2*8], [3*5+4*6, 3*7+4*8]]
    expect(mk.matmul(A(), B(), false, true).arraySync()).toEqual([[17, 23], [39, 53]]);
    // Aᵀ·Bᵀ = (B·A)ᵀ, B·A = [[5+18, 10+24], [7+24, 14+32]]
    expect(mk.matmul(A(), B(), true, true).arraySync()).toEqual([[23, 31], [34, 46]]);
    expect(A().matmul(B()).arraySync()).toEqual([[19, 22], [43, 50]]);
  });

  it('non-square shapes: [1,3]·[3,2] and a k = 0 product', () => {
    // [1,2,3]·[[1,0],[0,1],[1,1]] = [1+3, 2+3]
    expect(mk.matmul(t([[1, 2, 3]]), t([[1, 0], [0, 1], [1, 1]])).arraySync()).toEqual([[4, 5]]);
    expect(mk.matmul(mk.zeros([2, 0]), mk.zeros([0, 3])).arraySync()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it('batched, with a shared matrix, and with broadcast batch axes', () => {
    const batch = mk.stack([A(), B()]); // [2,2,2]
    const y = mk.matmul(batch, A());
    expect(y.shape).toEqual([2, 2, 2]);
    // B·A = [[23,34],[31,46]], A·A = [[7,10],[15,22]]
    expect(y.arraySync()).toEqual([[[7, 10], [15, 22]], [[23, 34], [31, 46]]]);
    expect(mk.matmul(A(), batch).arraySync()).toEqual([[[7, 10], [15, 22]], [[19, 22], [43, 50]]]);
    expect(mk.matmul(batch, batch).arraySync()).toEqual([[[7, 10], [15, 22]], [[25 + 42, 30 + 48], [35 + 56, 42 + 64]]]);
    // [2,1,2,2] x [3,2,2] -> [2,3,2,2]: entry [i][j] = batch[i] · C[j].
    const C = mk.stack([A(), B(), mk.eye(2)]);
    const z = mk.matmul(batch.reshape([2, 1, 2, 2]), C);
    expect(z.shape).toEqual([2, 3, 2, 2]);
    const za = z.arraySync() as number[][][][];
    expect(za[0]![1]).toEqual([[19, 22], [43, 50]]); // A·B
    expect(za[1]![0]).toEqual([[23, 34], [31, 46]]); // B·A
    expect(za[1]![2]).toEqual([[5, 6], [7, 8]]); // B·I
  });

  it('errors: inner dimensions, rank, batch axes', () => {
    expect(() => mk.matmul(mk.zeros([2, 3]), mk.zeros([4, 5]))).toThrow(/^matmul: inner dimensions must agree: \[2,3\] x \[4,5\] has 3 vs 4$/);
    expect(() => mk.matmul(mk.zeros([2, 3]), mk.zeros([2, 3]), false, false)).toThrow(/^matmul: inner dimensions must agree/);
    expect(() => mk.matmul(mk.zeros([3, 2]), mk.zeros([4, 2]), true, true)).toThrow(/^matmul: inner dimensions must agree: \[3,2\]ᵀ x \[4,2\]ᵀ has 3 vs 2$/);
    expect(() => mk.matmul(mk.zeros([3]), mk.zeros([3, 1]))).toThrow(/^matmul: both operands need rank >= 2, got shapes \[3\] and \[3,1\]$/);
    expect(() => mk.matmul(mk.zeros([2, 2, 3]), mk.zeros([3, 3, 2]))).toThrow(/^matmul: batch dimensions \[2\] and \[3\] cannot be broadcast \(shapes \[2,2,3\] and \[3,3,2\]\)$/);
  });

  it('propagates NaN and Infinity even through zero weights (0·NaN = NaN, 0·inf = NaN)', () => {
    const r = mk.matmul(t([[0, 1]]), t([[NaN], [1]]));
    expect(Number.isNaN(r.values[0])).toBe(true);
    // Remainder rows (m not a multiple of 4) and full 4-row blocks behave the same.
    const a = mk.zeros([5, 1]);
    const out = mk.matmul(a, t([[Infinity, 2]]));
    for (let i = 0; i < 5; i++) {
      expect(Number.isNaN(out.values[2 * i])).toBe(true);
      expect(out.values[2 * i + 1]).toBe(0);
    }
  });

  it('int32 operands give float32 results', () => {
    const r = mk.matmul(t([[1, 2]], [1, 2], 'int32'), t([[3], [4]], [2, 1], 'int32'));
    expect(r.dtype).toBe('float32');
    expect(r.arraySync()).toEqual([[11]]);
  });
});

describe('dot', () => {
  it('vector·vector, matrix·vector, vector·matrix', () => {
    expect(mk.dot(t([1, 2, 3]), t([4, 5, 6])).arraySync()).toBe(32); // 4 + 10 + 18
    expect(mk.dot(A(), t([1, 1])).arraySync()).toEqual([3, 7]);
    expect(mk.dot(t([1, 1]), A()).arraySync()).toEqual([4, 6]);
    expect(() => mk.dot(mk.zeros([2, 2, 2]), t([1, 1]))).toThrow(/^dot: both operands need rank 1 or 2, got shapes \[2,2,2\] and \[2\]$/);
    expect(() => mk.dot(t([1, 2, 3]), t([1, 2]))).toThrow(/^matmul: inner dimensions must agree/);
  });
});

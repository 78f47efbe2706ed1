/**
 * The blocked matmul kernel against a naive float64 triple loop written here, for odd sizes (1x1, 5x7x3,
 * sizes that are not multiples of 4 nor of the 128 (k) / 256 (n) blocks), all four transpose combinations,
 * and the offset / accumulate parameters used by batched matmul and backward passes.
 */
import { describe, expect, it } from 'vitest';
import { Random, cpuBackend, kernels } from '../index';

function randomArray(n: number, seed: number): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
}

/** C = op(A)·op(B) in float64; A is stored [m,k] (or [k,m] when transposed), B [k,n] (or [n,k]). */
function naive(a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ta ? p * m + i : i * k + p]! * b[tb ? j * k + p : p * n + j]!;
      c[i * n + j] = s;
    }
  }
  return c;
}

/**
 * float32 accumulation over k terms of size <= 1: the error is at most ~k * 2^-24 * sum|a_p b_p|, so with
 * |a|, |b| < 1 a bound of 1e-6 * k absolute is safe (and any indexing mistake is off by O(1)).
 */
function expectMatches(actual: Float32Array, expected: Float64Array, k: number, label: string): void {
  const tol = 1e-6 * Math.max(k, 1);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) throw new Error(`${label}: C[${i}] = ${actual[i]}, expected ${expected[i]}`);
  }
}

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [5, 7, 3],
  [4, 4, 4],
  [3, 1, 5],
  [7, 13, 1],
  [1, 300, 2],
  [130, 260, 3], // k spans 3 k-blocks, m is not a multiple of 4
  [6, 129, 257], // n just over one 256-block, k just over one 128-block
  [9, 5, 513],
];

describe('matmul kernel', () => {
  for (const [m, k, n] of SIZES) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`${m}x${k}x${n} transposeA=${ta} transposeB=${tb}`, () => {
        const a = randomArray(m * k, m * 1000 + k), b = randomArray(k * n, n * 1000 + k + 1);
        const c = new Float32Array(m * n).fill(NaN); // must be overwritten, not accumulated into
        kernels().matmul(a, b, c, m, k, n, ta, tb);
        expectMatches(c, naive(a, b, m, k, n, ta, tb), k, `${m}x${k}x${n}`);
      });
    }
  }

  it('reads A and B at offsets and writes C at an offset, leaving the rest of C alone', () => {
    const m = 5, k = 6, n = 7;
    const a = randomArray(3 + m * k, 1), b = randomArray(11 + k * n, 2);
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const c = new Float32Array(4 + m * n + 2).fill(-9);
      kernels().matmul(a, b, c, m, k, n, ta, tb, 3, 11, 4);
      const expected = naive(a.subarray(3), b.subarray(11), m, k, n, ta, tb);
      expectMatches(c.subarray(4, 4 + m * n), expected, k, `offsets ta=${ta} tb=${tb}`);
      expect([...c.subarray(0, 4), ...c.subarray(4 + m * n)]).toEqual([-9, -9, -9, -9, -9, -9]);
    }
  });

  it('accumulates into C when asked (C += A·B)', () => {
    const m = 6, k = 130, n = 9;
    const a = randomArray(m * k, 3), b = randomArray(k * n, 4);
    for (const [ta, tb] of [[false, false], [true, true]] as const) {
      const c = new Float32Array(m * n).fill(0.5);
      kernels().matmul(a, b, c, m, k, n, ta, tb, 0, 0, 0, true);
      kernels().matmul(a, b, c, m, k, n, ta, tb, 0, 0, 0, true);
      const once = naive(a, b, m, k, n, ta, tb);
      expectMatches(c, once.map((v) => 0.5 + 2 * v), 2 * k, `accumulate ta=${ta} tb=${tb}`);
    }
  });

  it('a batch through offsets equals separate products', () => {
    const batches = 3, m = 4, k = 5, n = 6;
    const a = randomArray(batches * m * k, 5), b = randomArray(batches * k * n, 6);
    const c = new Float32Array(batches * m * n);
    for (let i = 0; i < batches; i++) kernels().matmul(a, b, c, m, k, n, false, true, i * m * k, i * k * n, i * m * n);
    for (let i = 0; i < batches; i++) {
      const expected = naive(a.subarray(i * m * k, (i + 1) * m * k), b.subarray(i * k * n, (i + 1) * k * n), m, k, n, false, true);
      expectMatches(c.subarray(i * m * n, (i + 1) * m * n), expected, k, `batch ${i}`);
    }
  });

  // The TypeScript kernel has two loops: a register-chained one for tiny products (m·k·n <= 256, a small model's
  // layers) and the packed, blocked one. Both must round exactly like a float32 running sum in k order, so
  // a model gives the same numbers whichever loop its shapes fall into (and the compiled Dense step matches
  // the autograd step bit for bit).
  it('the TypeScript kernel rounds as a float32 running sum in k order, for tiny and blocked shapes alike', () => {
    const shapes: [number, number, number][] = [[4, 2, 8], [4, 8, 1], [8, 4, 1], [2, 4, 8], [1, 1, 1], [3, 5, 7], [5, 3, 2], [6, 6, 7], [7, 7, 6], [9, 9, 9], [4, 150, 3]];
    for (const [m, k, n] of shapes) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        for (const accumulate of [false, true]) {
          const a = randomArray(2 + m * k, m + 7 * k), b = randomArray(3 + k * n, n + 11 * k);
          const expected = new Float32Array(1 + m * n).fill(0.25);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              const o = 1 + i * n + j;
              if (!accumulate) expected[o] = 0;
              for (let p = 0; p < k; p++) expected[o]! += a[2 + (ta ? p * m + i : i * k + p)]! * b[3 + (tb ? j * k + p : p * n + j)]!;
            }
          }
          const c = new Float32Array(1 + m * n).fill(0.25);
          cpuBackend.matmul(a, b, c, m, k, n, ta, tb, 2, 3, 1, accumulate);
          expect(c, `${m}x${k}x${n} ta=${ta} tb=${tb} accumulate=${accumulate}`).toEqual(expected);
        }
      }
    }
  });
});

/**
 * The binary kernel's fast paths (same shape, scalar, trailing vector) and its general strided loop must all
 * agree with NumPy's broadcasting rule, implemented naively here: align shapes on the right, and read index 0
 * of any axis of size 1.
 */
import { describe, expect, it } from 'vitest';
import { broadcastShapes, kernels } from '../index';
import { unary } from './elementwise';

function naiveBroadcastAdd(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], outShape: number[]): Float32Array {
  const out = new Float32Array(outShape.reduce((p, d) => p * d, 1));
  const rank = outShape.length;
  const index = (shape: number[], coords: number[]) => {
    let flat = 0;
    for (let i = 0; i < shape.length; i++) {
      const c = shape[i] === 1 ? 0 : coords[rank - shape.length + i]!;
      flat = flat * shape[i]! + c;
    }
    return flat;
  };
  const coords = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let rest = o;
    for (let i = rank - 1; i >= 0; i--) { coords[i] = rest % outShape[i]!; rest = Math.floor(rest / outShape[i]!); }
    // Distinct weights make a swapped or misread operand visible.
    out[o] = a[index(aShape, coords)]! + 1000 * b[index(bShape, coords)]!;
  }
  return out;
}

const PAIRS: [number[], number[]][] = [
  [[2, 3], [2, 3]],
  [[2, 3], [3]],
  [[2, 3], [1, 3]],
  [[2, 3], [2, 1]],
  [[3], [2, 3]],
  [[2, 1, 4], [3, 1]],
  [[1, 3, 1], [2, 1, 5]],
  [[], [2, 2]],
  [[2, 2], []],
  [[4, 1, 3, 1], [2, 1, 6]],
  [[2, 3, 4], [3, 4]],
  [[2, 3, 4], [3, 1]],
  [[1], [5]],
  [[5, 1, 1], [1, 1, 1]],
  [[0, 3], [3]],
];

describe('binary kernel broadcasting', () => {
  for (const [sa, sb] of PAIRS) {
    it(`[${sa}] with [${sb}]`, () => {
      const outShape = broadcastShapes('test', sa, sb);
      const a = Float32Array.from({ length: sa.reduce((p, d) => p * d, 1) }, (_, i) => i + 1);
      const b = Float32Array.from({ length: sb.reduce((p, d) => p * d, 1) }, (_, i) => i + 1);
      // a + 1000 b, as mul then add, through the kernel's general entry point.
      const scaled = new Float32Array(b.length);
      kernels().binary('mul', b, sb, new Float32Array([1000]), [], scaled, sb);
      const out = new Float32Array(outShape.reduce((p, d) => p * d, 1));
      kernels().binary('add', a, sa, scaled, sb, out, outShape);
      expect(Array.from(out)).toEqual(Array.from(naiveBroadcastAdd(a, sa, b, sb, outShape)));
      // The same through a non-fast-path op (sub of the negation) must agree too.
      const neg = new Float32Array(scaled.length);
      kernels().unary('neg', scaled, neg);
      const out2 = new Float32Array(out.length);
      kernels().binary('sub', a, sa, neg, sb, out2, outShape);
      expect(Array.from(out2)).toEqual(Array.from(out));
      // And with the operands swapped (the scalar-on-the-left and general paths).
      const out3 = new Float32Array(out.length);
      kernels().binary('add', scaled, sb, a, sa, out3, outShape);
      expect(Array.from(out3)).toEqual(Array.from(out));
    });
  }

  it('broadcastShapes follows NumPy and names the op on failure', () => {
    expect(broadcastShapes('add', [8, 1, 6, 1], [7, 1, 5])).toEqual([8, 7, 6, 5]); // NumPy docs example
    expect(broadcastShapes('add', [5, 4], [1])).toEqual([5, 4]);
    expect(broadcastShapes('add', [15, 3, 5], [15, 1, 5])).toEqual([15, 3, 5]);
    expect(broadcastShapes('add', [1, 0], [3, 1])).toEqual([3, 0]);
    expect(() => broadcastShapes('add', [3], [4])).toThrow(/^add: shapes \[3\] and \[4\] cannot be broadcast$/);
    expect(() => broadcastShapes('mul', [2, 1], [8, 4, 3])).toThrow(/^mul: shapes \[2,1\] and \[8,4,3\] cannot be broadcast$/);
  });
});

describe('tanh (Eigen float32 rational approximation)', () => {
  function ulps(a: number, b: number): number {
    const f = new Float32Array([a, b]);
    const i = new Int32Array(f.buffer);
    return Math.abs(i[0]! - i[1]!);
  }

  it('is within 3 float32 ulp of the correctly rounded tanh, and exact for most inputs', () => {
    const xs = new Float32Array(180_001);
    for (let i = 0; i < xs.length; i++) xs[i] = -9 + i * 1e-4;
    const out = new Float32Array(xs.length);
    unary('tanh', xs, out);
    let worst = 0, exact = 0;
    for (let i = 0; i < xs.length; i++) {
      const u = ulps(out[i]!, Math.tanh(xs[i]!));
      worst = Math.max(worst, u);
      if (u === 0) exact++;
    }
    expect(worst).toBeLessThanOrEqual(3);
    expect(exact / xs.length).toBeGreaterThan(0.7);
  });

  it('keeps the special values: signed zero, tiny inputs, saturation, infinities, NaN', () => {
    const xs = new Float32Array([0, -0, 1e-30, -3e-4, 7.9, 8, 30, -30, Infinity, -Infinity, NaN]);
    const out = new Float32Array(xs.length);
    unary('tanh', xs, out);
    expect(Object.is(out[0], 0)).toBe(true);
    expect(Object.is(out[1], -0)).toBe(true);
    expect(out[2]).toBe(Math.fround(1e-30));
    expect(out[3]).toBe(Math.fround(-3e-4));
    expect(ulps(out[4]!, Math.tanh(Math.fround(7.9)))).toBeLessThanOrEqual(3);
    expect(Array.from(out.subarray(5, 10))).toEqual([Math.fround(Math.tanh(8)), 1, -1, 1, -1]);
    expect(out[10]).toBeNaN();
  });
});

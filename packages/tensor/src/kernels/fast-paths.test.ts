/**
 * The specialised kernel paths added for training speed against the plain loops they replace, on the cases
 * where the two could differ: relu's branch-free bit selects on -0, NaN and infinities; the row-wise sum used
 * for bias gradients against a per-output strided sum; max pooling with recorded winners against the
 * search-again backward (ties and NaN included).
 */
import { describe, expect, it } from 'vitest';
import { cpuBackend } from './index';
import type { Pool2dGeometry } from './conv';

const specials = Float32Array.from([1.5, -2, 0, -0, NaN, Infinity, -Infinity, 3e-39, -3e-39]);

describe('relu kernels', () => {
  it('forward: negatives, -0 and -Infinity give +0; NaN, +Infinity and positives pass through', () => {
    const out = new Float32Array(specials.length);
    cpuBackend.unary('relu', specials, out);
    expect(Array.from(out)).toEqual([1.5, 0, 0, 0, NaN, Infinity, 0, Math.fround(3e-39), 0]);
    for (const v of out) expect(Object.is(v, -0)).toBe(false);
  });

  it('backward: dy where x > 0, +0 elsewhere (also where dy is NaN or infinite)', () => {
    const dy = Float32Array.from([NaN, Infinity, -1, NaN, 2, -0, 5, -Infinity, 7]);
    const out = new Float32Array(specials.length);
    cpuBackend.unaryGrad('relu', specials, new Float32Array(specials.length), dy, out);
    // x > 0 only at indices 0 (1.5), 5 (Infinity) and 7 (3e-39); NaN > 0 is false.
    expect(Array.from(out)).toEqual([NaN, 0, 0, 0, 0, -0, 0, -Infinity, 0]);
    expect(Object.is(out[5], -0)).toBe(true);
    expect(Object.is(out[1], 0)).toBe(true);
  });
});

describe('sum over a middle axis (bias gradients)', () => {
  it('equals the per-output sum in the same order, bit for bit', () => {
    const [outer, reduced, inner] = [3, 50, 7];
    const x = Float32Array.from({ length: outer * reduced * inner }, (_, i) => Math.sin(i * 0.37) * 10 ** ((i % 5) - 2));
    const out = new Float32Array(outer * inner);
    cpuBackend.reduce('sum', x, [outer, reduced, inner], [1], out);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let acc = 0;
        for (let r = 0; r < reduced; r++) acc += x[(o * reduced + r) * inner + i]!;
        expect(out[o * inner + i]).toBe(Math.fround(acc));
      }
    }
  });
});

describe('maxPool2dArgmax / maxPool2dGradArgmax', () => {
  // 1 image, 4x5, 2 channels; 3x3 windows, stride 2x2, padding 1 top/left: overlapping, clipped windows.
  const g: Pool2dGeometry = { batch: 1, inHeight: 4, inWidth: 5, channels: 2, outHeight: 2, outWidth: 3, filterHeight: 3, filterWidth: 3, strideHeight: 2, strideWidth: 2, padTop: 1, padLeft: 1 };
  // Channel 0 is full of ties (values in {0, 1}); channel 1 has a NaN at pixel (1, 1) and varied values.
  const x = new Float32Array(4 * 5 * 2);
  for (let p = 0; p < 20; p++) { x[2 * p] = p % 3 === 0 ? 1 : 0; x[2 * p + 1] = Math.cos(p * 1.7); }
  x[2 * (1 * 5 + 1) + 1] = NaN;

  it('gives the same outputs as maxPool2d and the same gradient as maxPool2dGrad', () => {
    const n = g.outHeight * g.outWidth * g.channels;
    const y1 = new Float32Array(n), y2 = new Float32Array(n), arg = new Int32Array(n);
    cpuBackend.maxPool2d(x, y1, g);
    cpuBackend.maxPool2dArgmax(x, y2, arg, g);
    expect(Array.from(y2)).toEqual(Array.from(y1));
    const dy = Float32Array.from({ length: n }, (_, i) => i + 1);
    const dx1 = new Float32Array(x.length), dx2 = new Float32Array(x.length).fill(9);
    cpuBackend.maxPool2dGrad(x, dy, dx1, g);
    cpuBackend.maxPool2dGradArgmax(arg, dy, dx2);
    expect(Array.from(dx2)).toEqual(Array.from(dx1));
    // The first window (rows 0-1, cols 0-1 after clipping) of channel 0 holds 1, 0, 0, 1 (pixels 0, 1, 5, 6;
    // value 1 where p % 3 == 0): a tie, and the first maximum, pixel 0, wins. Its channel-1 window contains the NaN at pixel 6, which wins.
    expect(arg[0]).toBe(0);
    expect(arg[1]).toBe(2 * 6 + 1);
  });

  it('takes the 2x2 stride-2 shortcut with the same outputs, winners and gradient as the general loops', () => {
    // 2 images, 5x4 (the odd last row is dropped, as 'valid' pooling does), 3 channels; values on a coarse grid
    // so that ties are common, plus NaNs at a window's 2nd and 4th candidates.
    const g2: Pool2dGeometry = { batch: 2, inHeight: 5, inWidth: 4, channels: 3, outHeight: 2, outWidth: 2, filterHeight: 2, filterWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0 };
    const xs = Float32Array.from({ length: 2 * 5 * 4 * 3 }, (_, i) => ((i * 7) % 5) - 2);
    xs[3 * 1 + 0] = NaN; // image 0, pixel (0, 1), channel 0: second candidate of window (0, 0)
    xs[3 * (1 * 4 + 1) + 1] = NaN; // image 0, pixel (1, 1), channel 1: fourth candidate of window (0, 0)
    const n = 2 * 2 * 2 * 3;
    const y1 = new Float32Array(n), y2 = new Float32Array(n), arg = new Int32Array(n);
    cpuBackend.maxPool2d(xs, y1, g2);
    cpuBackend.maxPool2dArgmax(xs, y2, arg, g2);
    expect(Array.from(y2)).toEqual(Array.from(y1));
    expect(Number.isNaN(y2[0]!) && Number.isNaN(y2[1]!)).toBe(true);
    const dy = Float32Array.from({ length: n }, (_, i) => i + 1);
    const dx1 = new Float32Array(xs.length), dx2 = new Float32Array(xs.length);
    cpuBackend.maxPool2dGrad(xs, dy, dx1, g2);
    cpuBackend.maxPool2dGradArgmax(arg, dy, dx2);
    expect(Array.from(dx2)).toEqual(Array.from(dx1));
    expect(arg[0]).toBe(3 * 1 + 0);
    expect(arg[1]).toBe(3 * (1 * 4 + 1) + 1);
  });
});

/**
 * The conv and pooling kernels against naive float64 loops written out here (the 7-loop convolution and its
 * two adjoints, window-by-window pooling). Geometries are chosen to reach every code path: several im2col
 * chunks, a reduction longer than the GEMM's k-block, more output channels than its n-block, row/column
 * counts that are not multiples of the 4x4 tile, the 1x1 shortcut, padding on each side, stride and dilation.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../random';
import {
  conv2d, conv2dBackpropFilter, conv2dBackpropInput, conv2dBiasActivation, conv2dBiasActivationBackprop, conv2dBiasActivationMaxPoolBackprop,
  avgPool2d, avgPool2dGrad, maxPool2d, maxPool2dArgmax, maxPool2dGrad, maxPool2dGradArgmax,
} from './conv';
import type { Conv2dGeometry, MatmulKernel, Pool2dGeometry } from './conv';
import { matmul } from './matmul';

function rand(n: number, seed: number): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
}

function expectAllClose(actual: Float32Array, expected: Float64Array, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0, at = -1;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!));
    if (!(err <= worst)) { worst = err; at = i; }
  }
  expect(worst, `worst relative error at [${at}]: got ${actual[at]}, expected ${expected[at]}`).toBeLessThanOrEqual(tol);
}

/** 'same' geometry as TensorFlow computes it (duplicated here on purpose: the op has its own copy). */
function geometry(
  [batch, inHeight, inWidth, inChannels]: number[], [filterHeight, filterWidth, outChannels]: number[],
  [strideHeight, strideWidth]: number[], [dilationHeight, dilationWidth]: number[], pad: 'same' | 'valid',
): Conv2dGeometry {
  const effH = (filterHeight! - 1) * dilationHeight! + 1, effW = (filterWidth! - 1) * dilationWidth! + 1;
  let outHeight: number, outWidth: number, padTop = 0, padLeft = 0;
  if (pad === 'same') {
    outHeight = Math.ceil(inHeight! / strideHeight!); outWidth = Math.ceil(inWidth! / strideWidth!);
    padTop = Math.floor(Math.max((outHeight - 1) * strideHeight! + effH - inHeight!, 0) / 2);
    padLeft = Math.floor(Math.max((outWidth - 1) * strideWidth! + effW - inWidth!, 0) / 2);
  } else {
    outHeight = Math.floor((inHeight! - effH) / strideHeight!) + 1; outWidth = Math.floor((inWidth! - effW) / strideWidth!) + 1;
  }
  return {
    batch: batch!, inHeight: inHeight!, inWidth: inWidth!, inChannels: inChannels!, outHeight, outWidth, outChannels: outChannels!,
    filterHeight: filterHeight!, filterWidth: filterWidth!, strideHeight: strideHeight!, strideWidth: strideWidth!,
    dilationHeight: dilationHeight!, dilationWidth: dilationWidth!, padTop, padLeft,
  };
}

/** Calls `visit(xIndex, wIndex, yIndex)` for every (input, weight, output) triple of the convolution sum. */
function forEachTerm(g: Conv2dGeometry, visit: (xi: number, wi: number, yi: number) => void): void {
  for (let b = 0; b < g.batch; b++)
    for (let oy = 0; oy < g.outHeight; oy++)
      for (let ox = 0; ox < g.outWidth; ox++)
        for (let ky = 0; ky < g.filterHeight; ky++)
          for (let kx = 0; kx < g.filterWidth; kx++) {
            const iy = oy * g.strideHeight - g.padTop + ky * g.dilationHeight;
            const ix = ox * g.strideWidth - g.padLeft + kx * g.dilationWidth;
            if (iy < 0 || iy >= g.inHeight || ix < 0 || ix >= g.inWidth) continue;
            for (let ci = 0; ci < g.inChannels; ci++)
              for (let co = 0; co < g.outChannels; co++) {
                visit(
                  ((b * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + ci,
                  ((ky * g.filterWidth + kx) * g.inChannels + ci) * g.outChannels + co,
                  ((b * g.outHeight + oy) * g.outWidth + ox) * g.outChannels + co,
                );
              }
          }
}

function sizes(g: Conv2dGeometry) {
  return {
    x: g.batch * g.inHeight * g.inWidth * g.inChannels,
    w: g.filterHeight * g.filterWidth * g.inChannels * g.outChannels,
    y: g.batch * g.outHeight * g.outWidth * g.outChannels,
  };
}

const CONV_CASES: { name: string; g: Conv2dGeometry }[] = [
  { name: '3x3 valid, tiny', g: geometry([1, 5, 5, 1], [3, 3, 1], [1, 1], [1, 1], 'valid') },
  { name: '3x3 same, batch 2, odd channels', g: geometry([2, 7, 6, 3], [3, 3, 5], [1, 1], [1, 1], 'same') },
  { name: 'stride 2 same (asymmetric padding)', g: geometry([2, 8, 7, 3], [3, 3, 6], [2, 2], [1, 1], 'same') },
  { name: 'stride [1,3] valid, 2x4 filter', g: geometry([3, 6, 11, 2], [2, 4, 7], [1, 3], [1, 1], 'valid') },
  { name: 'dilation 2 same', g: geometry([2, 9, 9, 4], [3, 3, 3], [1, 1], [2, 2], 'same') },
  { name: 'dilation [3,1] valid, 2x3 filter', g: geometry([1, 10, 8, 2], [2, 3, 4], [1, 1], [3, 1], 'valid') },
  { name: 'even 4x4 filter same, stride 3', g: geometry([2, 10, 9, 2], [4, 4, 3], [3, 3], [1, 1], 'same') },
  { name: '1x1 stride 1 (im2col shortcut)', g: geometry([3, 5, 7, 6], [1, 1, 5], [1, 1], [1, 1], 'valid') },
  { name: '1x1 stride 2 (no shortcut)', g: geometry([2, 6, 5, 3], [1, 1, 4], [2, 2], [1, 1], 'same') },
  { name: 'several im2col chunks', g: geometry([3, 24, 24, 8], [3, 3, 5], [1, 1], [1, 1], 'same') },
  { name: 'k > GEMM k-block, outC > n-block', g: geometry([2, 6, 6, 40], [3, 3, 70], [1, 1], [1, 1], 'valid') },
  { name: 'filter larger than input with same', g: geometry([1, 3, 2, 2], [5, 4, 3], [1, 1], [1, 1], 'same') },
  { name: 'MNIST conv2 shape, small batch', g: geometry([2, 13, 13, 32], [3, 3, 64], [1, 1], [1, 1], 'valid') },
];

describe.each([
  ['built-in GEMM', undefined],
  // The route a faster backend takes: the same im2col chunks, products issued as `matmul` calls.
  ['products through an injected matmul', matmul],
] as [string, MatmulKernel | undefined][])('conv2d kernels vs naive 7-loop reference (%s)', (_, mm) => {
  for (const { name, g } of CONV_CASES) {
    it(name, () => {
      const n = sizes(g);
      const x = rand(n.x, 1), w = rand(n.w, 2), dy = rand(n.y, 3);
      const yRef = new Float64Array(n.y), dxRef = new Float64Array(n.x), dwRef = new Float64Array(n.w);
      forEachTerm(g, (xi, wi, yi) => {
        yRef[yi]! += x[xi]! * w[wi]!;
        dxRef[xi]! += dy[yi]! * w[wi]!;
        dwRef[wi]! += dy[yi]! * x[xi]!;
      });
      // Poison the outputs: kernels must overwrite, not accumulate into, what they are given.
      const y = new Float32Array(n.y).fill(NaN), dx = new Float32Array(n.x).fill(NaN), dw = new Float32Array(n.w).fill(NaN);
      conv2d(x, w, y, g, mm);
      conv2dBackpropInput(dy, w, dx, g, mm);
      conv2dBackpropFilter(x, dy, dw, g, mm);
      // Sums of up to a few thousand float32 products of O(1) values: 1e-5 relative is ~100x float32 eps.
      expectAllClose(y, yRef, 1e-5);
      expectAllClose(dx, dxRef, 1e-5);
      expectAllClose(dw, dwRef, 1e-5);
    });
  }

  for (const { name, g } of CONV_CASES) {
    it(`bias + relu fused: ${name}`, () => {
      const n = sizes(g);
      const x = rand(n.x, 1), w = rand(n.w, 2), dy = rand(n.y, 3), bias = rand(g.outChannels, 4);
      const z = new Float64Array(n.y);
      forEachTerm(g, (xi, wi, yi) => { z[yi]! += x[xi]! * w[wi]!; });
      for (let i = 0; i < n.y; i++) z[i]! += bias[i % g.outChannels]!;
      const yRef = z.map((v) => (v > 0 ? v : 0));
      // relu passes dy where the pre-activation is positive; the bias gradient sums that over the pixels.
      const dz = Float64Array.from(dy, (v, i) => (z[i]! > 0 ? v : 0));
      const dxRef = new Float64Array(n.x), dwRef = new Float64Array(n.w), dbRef = new Float64Array(g.outChannels);
      forEachTerm(g, (xi, wi, yi) => {
        dxRef[xi]! += dz[yi]! * w[wi]!;
        dwRef[wi]! += dz[yi]! * x[xi]!;
      });
      for (let i = 0; i < n.y; i++) dbRef[i % g.outChannels]! += dz[i]!;
      const y = new Float32Array(n.y).fill(NaN);
      conv2dBiasActivation(x, w, bias, 'relu', y, g, mm);
      expectAllClose(y, yRef, 1e-5);
      // Both sides of the kink occur (the tiny case's 9 outputs happen to be all of one sign).
      if (n.y > 9) expect(y.some((v) => v === 0) && y.some((v) => v > 0)).toBe(true);
      const dx = new Float32Array(n.x).fill(NaN), dw = new Float32Array(n.w).fill(NaN), db = new Float32Array(g.outChannels).fill(NaN);
      conv2dBiasActivationBackprop(x, w, y, 'relu', dy, dx, dw, db, g, mm);
      expectAllClose(dx, dxRef, 1e-5);
      expectAllClose(dw, dwRef, 1e-5);
      expectAllClose(db, dbRef, 1e-5);
      // Any subset of the gradients, each the same as when all three are computed.
      const dw2 = new Float32Array(n.w).fill(NaN), db2 = new Float32Array(g.outChannels).fill(NaN);
      conv2dBiasActivationBackprop(x, w, y, 'relu', dy, null, dw2, null, g, mm);
      conv2dBiasActivationBackprop(x, w, y, 'relu', dy, null, null, db2, g, mm);
      expect(Array.from(dw2)).toEqual(Array.from(dw));
      expect(Array.from(db2)).toEqual(Array.from(db));
    });
  }

  it("the 'linear' fused kernels are conv2d plus the bias, and the plain backprops", () => {
    const g = CONV_CASES.find((c) => c.name === 'several im2col chunks')!.g;
    const n = sizes(g);
    const x = rand(n.x, 5), w = rand(n.w, 6), dy = rand(n.y, 7), bias = rand(g.outChannels, 8);
    const y = new Float32Array(n.y), yPlain = new Float32Array(n.y);
    conv2dBiasActivation(x, w, bias, 'linear', y, g, mm);
    conv2d(x, w, yPlain, g, mm);
    for (let i = 0; i < n.y; i++) yPlain[i]! += bias[i % g.outChannels]!;
    expect(Array.from(y)).toEqual(Array.from(yPlain));
    const dx = new Float32Array(n.x), dw = new Float32Array(n.w), db = new Float32Array(g.outChannels);
    conv2dBiasActivationBackprop(x, w, y, 'linear', dy, dx, dw, db, g, mm);
    const dxPlain = new Float32Array(n.x), dwPlain = new Float32Array(n.w), dbRef = new Float64Array(g.outChannels);
    conv2dBackpropInput(dy, w, dxPlain, g, mm);
    conv2dBackpropFilter(x, dy, dwPlain, g, mm);
    for (let i = 0; i < n.y; i++) dbRef[i % g.outChannels]! += dy[i]!;
    expect(Array.from(dx)).toEqual(Array.from(dxPlain));
    expect(Array.from(dw)).toEqual(Array.from(dwPlain));
    expectAllClose(db, dbRef, 1e-6);
  });

  it('gives the same answer when called again with a smaller geometry (scratch reuse)', () => {
    const big = geometry([2, 20, 20, 8], [3, 3, 8], [1, 1], [1, 1], 'same');
    const small = geometry([1, 4, 4, 1], [2, 2, 1], [1, 1], [1, 1], 'valid');
    const sb = sizes(big), ss = sizes(small);
    conv2d(rand(sb.x, 4), rand(sb.w, 5), new Float32Array(sb.y), big);
    const x = Float32Array.from({ length: 16 }, (_, i) => i + 1);
    const y = new Float32Array(ss.y);
    conv2d(x, Float32Array.of(1, 2, 3, 4), y, small);
    // out[0,0] = 1*1 + 2*2 + 5*3 + 6*4 = 44; each step right adds 1+2+3+4 = 10, each step down 4*10 = 40.
    expect(Array.from(y)).toEqual([44, 54, 64, 84, 94, 104, 124, 134, 144]);
  });

  it('handles an empty batch', () => {
    const g = geometry([0, 5, 5, 2], [3, 3, 4], [1, 1], [1, 1], 'same');
    const dw = new Float32Array(3 * 3 * 2 * 4).fill(NaN);
    conv2d(new Float32Array(0), rand(72, 1), new Float32Array(0), g);
    conv2dBackpropInput(new Float32Array(0), rand(72, 1), new Float32Array(0), g);
    conv2dBackpropFilter(new Float32Array(0), new Float32Array(0), dw, g);
    expect(Array.from(dw).every((v) => v === 0)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------

function poolGeometry([batch, inHeight, inWidth, channels]: number[], [filterHeight, filterWidth]: number[], [strideHeight, strideWidth]: number[], pad: 'same' | 'valid'): Pool2dGeometry {
  const c = geometry([batch!, inHeight!, inWidth!, channels!], [filterHeight!, filterWidth!, 1], [strideHeight!, strideWidth!], [1, 1], pad);
  return {
    batch: c.batch, inHeight: c.inHeight, inWidth: c.inWidth, channels: channels!, outHeight: c.outHeight, outWidth: c.outWidth,
    filterHeight: c.filterHeight, filterWidth: c.filterWidth, strideHeight: c.strideHeight, strideWidth: c.strideWidth,
    padTop: c.padTop, padLeft: c.padLeft,
  };
}

/** Input indices of each output's window, in row-major window order, padding skipped. */
function windows(g: Pool2dGeometry): number[][] {
  const out: number[][] = [];
  for (let b = 0; b < g.batch; b++)
    for (let oy = 0; oy < g.outHeight; oy++)
      for (let ox = 0; ox < g.outWidth; ox++)
        for (let c = 0; c < g.channels; c++) {
          const idx: number[] = [];
          for (let ky = 0; ky < g.filterHeight; ky++)
            for (let kx = 0; kx < g.filterWidth; kx++) {
              const iy = oy * g.strideHeight - g.padTop + ky, ix = ox * g.strideWidth - g.padLeft + kx;
              if (iy >= 0 && iy < g.inHeight && ix >= 0 && ix < g.inWidth) idx.push(((b * g.inHeight + iy) * g.inWidth + ix) * g.channels + c);
            }
          out.push(idx);
        }
  return out;
}

const POOL_CASES: { name: string; g: Pool2dGeometry }[] = [
  { name: '2x2 stride 2 valid', g: poolGeometry([2, 6, 6, 3], [2, 2], [2, 2], 'valid') },
  { name: '2x2 stride 2 valid, odd input (last row dropped)', g: poolGeometry([1, 7, 5, 2], [2, 2], [2, 2], 'valid') },
  { name: '3x3 stride 1 same (overlapping)', g: poolGeometry([2, 5, 6, 4], [3, 3], [1, 1], 'same') },
  { name: '3x3 stride 2 same', g: poolGeometry([1, 7, 8, 3], [3, 3], [2, 2], 'same') },
  { name: '2x3 stride [1,2] same', g: poolGeometry([2, 5, 7, 2], [2, 3], [1, 2], 'same') },
  { name: 'window larger than input, same', g: poolGeometry([1, 2, 3, 2], [4, 5], [1, 1], 'same') },
];

describe('pooling kernels vs window-by-window reference', () => {
  for (const { name, g } of POOL_CASES) {
    it(name, () => {
      const nx = g.batch * g.inHeight * g.inWidth * g.channels, ny = g.batch * g.outHeight * g.outWidth * g.channels;
      // Quantized values make ties common, so the first-maximum rule is exercised.
      const x = rand(nx, 11).map((v) => Math.round(v * 3) / 3);
      const dy = rand(ny, 12);
      const maxRef = new Float64Array(ny), avgRef = new Float64Array(ny);
      const dxMax = new Float64Array(nx), dxAvg = new Float64Array(nx);
      windows(g).forEach((idx, o) => {
        expect(idx.length).toBeGreaterThan(0);
        let best = idx[0]!;
        for (const i of idx) if (x[i]! > x[best]!) best = i;
        maxRef[o] = x[best]!;
        dxMax[best]! += dy[o]!;
        let s = 0;
        for (const i of idx) s += x[i]!;
        avgRef[o] = s / idx.length;
        for (const i of idx) dxAvg[i]! += dy[o]! / idx.length;
      });
      const y = new Float32Array(ny).fill(NaN), dx = new Float32Array(nx).fill(NaN);
      maxPool2d(x, y, g);
      expectAllClose(y, maxRef, 0);
      maxPool2dGrad(x, dy, dx, g);
      expectAllClose(dx, dxMax, 1e-6);
      avgPool2d(x, y.fill(NaN), g);
      expectAllClose(y, avgRef, 1e-6);
      avgPool2dGrad(dy, dx.fill(NaN), g);
      expectAllClose(dx, dxAvg, 1e-6);
    });
  }

  it('maxPool propagates NaN and sends its gradient to the first NaN', () => {
    const g = poolGeometry([1, 1, 4, 1], [1, 4], [1, 1], 'valid');
    const x = Float32Array.of(1, NaN, 5, NaN);
    const y = new Float32Array(1), dx = new Float32Array(4);
    maxPool2d(x, y, g);
    expect(y[0]).toBeNaN();
    maxPool2dGrad(x, Float32Array.of(1), dx, g);
    expect(Array.from(dx)).toEqual([0, 1, 0, 0]);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe.each([
  ['built-in GEMM', undefined],
  ['products through an injected matmul', matmul],
] as [string, MatmulKernel | undefined][])('conv + maxPool backward in one pass equals the two backward passes (%s)', (_, mm) => {
  // Conv geometries with several row chunks, whose boundaries cut through pooling windows, and a 1x1 filter.
  const CONVS: { name: string; g: Conv2dGeometry }[] = [
    { name: 'MNIST conv1-like, 3 chunks', g: geometry([3, 40, 40, 1], [3, 3, 4], [1, 1], [1, 1], 'valid') },
    { name: 'several im2col chunks, 8 channels', g: geometry([3, 24, 24, 8], [3, 3, 5], [1, 1], [1, 1], 'same') },
    { name: '1x1, odd size', g: geometry([2, 7, 5, 3], [1, 1, 4], [1, 1], [1, 1], 'valid') },
  ];
  const POOLS: { name: string; window: number[]; strides: number[]; pad: 'same' | 'valid' }[] = [
    { name: '2x2 stride 2 valid', window: [2, 2], strides: [2, 2], pad: 'valid' },
    { name: '3x3 stride 1 same (overlapping windows)', window: [3, 3], strides: [1, 1], pad: 'same' },
    { name: '3x2 stride [2,1] same', window: [3, 2], strides: [2, 1], pad: 'same' },
  ];
  for (const { name, g } of CONVS) {
    for (const p of POOLS) {
      for (const activation of ['relu', 'linear'] as const) {
        it(`${name}; pool ${p.name}; ${activation}`, () => {
          const n = sizes(g);
          const x = rand(n.x, 1), w = rand(n.w, 2), bias = rand(g.outChannels, 3);
          const y = new Float32Array(n.y);
          conv2dBiasActivation(x, w, bias, activation, y, g, mm);
          const pg = poolGeometry([g.batch, g.outHeight, g.outWidth, g.outChannels], p.window, p.strides, p.pad);
          const np = pg.batch * pg.outHeight * pg.outWidth * pg.channels;
          const py = new Float32Array(np), arg = new Int32Array(np), pdy = rand(np, 4);
          maxPool2dArgmax(y, py, arg, pg);
          // Two passes: the pool's gradient into a full-size dy, then the conv's backward from it.
          const dyConv = new Float32Array(n.y);
          maxPool2dGradArgmax(arg, pdy, dyConv);
          const dx = new Float32Array(n.x), dw = new Float32Array(n.w), db = new Float32Array(g.outChannels);
          conv2dBiasActivationBackprop(x, w, y, activation, dyConv, dx, dw, db, g, mm);
          // One pass, without y or dyConv.
          const dx1 = new Float32Array(n.x).fill(NaN), dw1 = new Float32Array(n.w).fill(NaN), db1 = new Float32Array(g.outChannels).fill(NaN);
          conv2dBiasActivationMaxPoolBackprop(x, w, activation, arg, py, pdy, pg, dx1, dw1, db1, g, mm);
          // The same sums in the same order: identical bits.
          expect(Array.from(dx1)).toEqual(Array.from(dx));
          expect(Array.from(dw1)).toEqual(Array.from(dw));
          expect(Array.from(db1)).toEqual(Array.from(db));
          expect(dw.some((v) => v !== 0)).toBe(true);
          if (activation === 'relu') expect(py.some((v) => v === 0) && py.some((v) => v > 0)).toBe(true);
        });
      }
    }
  }
});

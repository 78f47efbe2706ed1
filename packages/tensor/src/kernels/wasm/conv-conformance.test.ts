/**
 * conv2d and its two backward kernels through the WASM backend (TS im2col + WASM GEMM) against the TS
 * reference (TS im2col + TS GEMM). The tolerance scale is the same kernel applied to |x| and |w|, which is
 * exactly sum |x||w| per output element.
 */
import { describe, expect, it } from 'vitest';
import {
  conv2d, conv2dBackpropFilter, conv2dBackpropInput, conv2dBiasActivation, conv2dBiasActivationBackprop, conv2dBiasActivationMaxPoolBackprop,
  maxPool2dArgmax, maxPool2dGradArgmax,
} from '../conv';
import type { Conv2dGeometry, Pool2dGeometry } from '../conv';
import { createWasmBackend } from './index';

function filled(length: number, seed: number): Float32Array {
  const x = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return x;
}

const abs = (x: Float32Array): Float32Array => x.map(Math.abs);

function geometry(
  batch: number, size: number, inC: number, outC: number, f: number, stride: number, pad: number,
): Conv2dGeometry {
  // out = floor((in + 2 pad - f) / stride) + 1, padding split evenly.
  const out = Math.floor((size + 2 * pad - f) / stride) + 1;
  return {
    batch, inHeight: size, inWidth: size, inChannels: inC, outHeight: out, outWidth: out, outChannels: outC,
    filterHeight: f, filterWidth: f, strideHeight: stride, strideWidth: stride, dilationHeight: 1, dilationWidth: 1,
    padTop: pad, padLeft: pad,
  };
}

function expectWithin(label: string, actual: Float32Array, expected: Float32Array, scale: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const tol = 1e-5 * scale[i]! + 1e-30;
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) expect.fail(`${label}[${i}]: wasm ${actual[i]}, js ${expected[i]}, tolerance ${tol}`);
  }
}

const wasm = createWasmBackend({ minWork: 0 });
const GEOMETRIES: [string, Conv2dGeometry][] = [
  ['3x3 valid', geometry(2, 9, 3, 5, 3, 1, 0)],
  ['3x3 same, stride 1', geometry(2, 9, 3, 5, 3, 1, 1)],
  ['3x3 stride 2, padded', geometry(3, 11, 4, 6, 3, 2, 1)],
  ['1x1 pointwise', geometry(2, 5, 7, 9, 1, 1, 0)],
  // K = 3*3*32 = 288 and 2*13*13 = 338 output pixels: more than one 64K-float im2col chunk.
  ['W2 conv2-like, several im2col chunks', geometry(2, 15, 32, 16, 3, 1, 0)],
];

describe('conv2d kernels: TS GEMM vs WASM GEMM', () => {
  for (const [name, g] of GEOMETRIES) {
    it(name, () => {
      const xLen = g.batch * g.inHeight * g.inWidth * g.inChannels;
      const fLen = g.filterHeight * g.filterWidth * g.inChannels * g.outChannels;
      const yLen = g.batch * g.outHeight * g.outWidth * g.outChannels;
      const x = filled(xLen, 1), f = filled(fLen, 2), dy = filled(yLen, 3);

      const y = new Float32Array(yLen), yW = new Float32Array(yLen), yS = new Float32Array(yLen);
      conv2d(x, f, y, g);
      wasm.conv2d(x, f, yW, g);
      conv2d(abs(x), abs(f), yS, g);
      expectWithin(`${name} conv2d`, yW, y, yS);

      const dx = new Float32Array(xLen), dxW = new Float32Array(xLen).fill(7), dxS = new Float32Array(xLen);
      conv2dBackpropInput(dy, f, dx, g);
      wasm.conv2dBackpropInput(dy, f, dxW, g);
      conv2dBackpropInput(abs(dy), abs(f), dxS, g);
      expectWithin(`${name} conv2dBackpropInput`, dxW, dx, dxS);

      const df = new Float32Array(fLen), dfW = new Float32Array(fLen).fill(7), dfS = new Float32Array(fLen);
      conv2dBackpropFilter(x, dy, df, g);
      wasm.conv2dBackpropFilter(x, dy, dfW, g);
      conv2dBackpropFilter(abs(x), abs(dy), dfS, g);
      expectWithin(`${name} conv2dBackpropFilter`, dfW, df, dfS);
    });

    it(`${name}: bias + relu fused`, () => {
      const xLen = g.batch * g.inHeight * g.inWidth * g.inChannels;
      const fLen = g.filterHeight * g.filterWidth * g.inChannels * g.outChannels;
      const yLen = g.batch * g.outHeight * g.outWidth * g.outChannels;
      const x = filled(xLen, 4), f = filled(fLen, 5), dy = filled(yLen, 6), bias = filled(g.outChannels, 7);
      const y = new Float32Array(yLen), yW = new Float32Array(yLen).fill(7), yS = new Float32Array(yLen);
      conv2dBiasActivation(x, f, bias, 'relu', y, g);
      wasm.conv2dBiasActivation(x, f, bias, 'relu', yW, g);
      conv2dBiasActivation(abs(x), abs(f), abs(bias), 'linear', yS, g);
      expectWithin(`${name} conv2dBiasActivation`, yW, y, yS);
      // Backward from the same forward output, so both sides apply the same relu mask.
      const dx = new Float32Array(xLen), dxW = new Float32Array(xLen).fill(7), dxS = new Float32Array(xLen);
      const df = new Float32Array(fLen), dfW = new Float32Array(fLen).fill(7), dfS = new Float32Array(fLen);
      const db = new Float32Array(g.outChannels), dbW = new Float32Array(g.outChannels).fill(7);
      conv2dBiasActivationBackprop(x, f, y, 'relu', dy, dx, df, db, g);
      wasm.conv2dBiasActivationBackprop(x, f, y, 'relu', dy, dxW, dfW, dbW, g);
      conv2dBiasActivationBackprop(abs(x), abs(f), y, 'linear', abs(dy), dxS, dfS, null, g);
      expectWithin(`${name} fused dx`, dxW, dx, dxS);
      expectWithin(`${name} fused dFilter`, dfW, df, dfS);
      // The bias gradient is the same TS loop on both backends.
      expect(Array.from(dbW)).toEqual(Array.from(db));
      expect(y.some((v) => v === 0) && y.some((v) => v > 0)).toBe(true);

      // Through a 2x2 stride-2 max pool, differentiated in the same pass.
      const ph = Math.floor(g.outHeight / 2), pw = Math.floor(g.outWidth / 2);
      const pg: Pool2dGeometry = {
        batch: g.batch, inHeight: g.outHeight, inWidth: g.outWidth, channels: g.outChannels, outHeight: ph, outWidth: pw,
        filterHeight: 2, filterWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0,
      };
      const np = g.batch * ph * pw * g.outChannels;
      const py = new Float32Array(np), arg = new Int32Array(np), pdy = filled(np, 8);
      maxPool2dArgmax(y, py, arg, pg);
      const pdx = new Float32Array(xLen), pdxW = new Float32Array(xLen).fill(7);
      const pdf = new Float32Array(fLen), pdfW = new Float32Array(fLen).fill(7);
      conv2dBiasActivationMaxPoolBackprop(x, f, 'relu', arg, py, pdy, pg, pdx, pdf, null, g);
      wasm.conv2dBiasActivationMaxPoolBackprop(x, f, 'relu', arg, py, pdy, pg, pdxW, pdfW, null, g);
      // Scale: the same products on |x|, |w| and the pool gradient's magnitudes scattered to the winners.
      const dzAbs = new Float32Array(yLen), pdxS = new Float32Array(xLen), pdfS = new Float32Array(fLen);
      maxPool2dGradArgmax(arg, abs(pdy), dzAbs);
      conv2dBiasActivationBackprop(abs(x), abs(f), y, 'linear', dzAbs, pdxS, pdfS, null, g);
      expectWithin(`${name} conv+pool dx`, pdxW, pdx, pdxS);
      expectWithin(`${name} conv+pool dFilter`, pdfW, pdf, pdfS);
      expect(pdf.some((v) => v !== 0)).toBe(true);
    });
  }
});

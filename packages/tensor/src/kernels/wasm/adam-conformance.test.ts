/**
 * The WASM Adam update (float32 arithmetic, four lanes) against the TS kernel (float64 per element, stored
 * as float32), one step from the same state, for lengths around the vector width and a larger variable,
 * with and without AMSGrad, weight decay (keep) and a gradient scale.
 */
import { describe, expect, it } from 'vitest';
import { adamUpdate as adamJs } from '../optim';
import { createWasmBackend } from './index';
import { instantiateKernelsSync } from './module';
import { WasmOptim } from './optim';

function filled(length: number, seed: number, lo: number, hi: number): Float32Array {
  const x = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = lo + (hi - lo) * (s / 2 ** 32);
  }
  return x;
}

const wasmAdam = createWasmBackend({ minAdam: 0 }).adamUpdate;
// Chunks of 12 floats: several chunks per variable and a ragged last one, at test sizes.
const smallChunks = new WasmOptim(instantiateKernelsSync(), 12);
const IMPLEMENTATIONS: [string, typeof wasmAdam][] = [
  ['wasm backend', wasmAdam],
  ['WasmOptim, 12-float chunks', (...args) => smallChunks.adam(...args)],
];

/** Float32 rounding of the handful of operations per element: a few ulps of the terms' magnitude. */
const RTOL = 1e-6;

function expectNear(label: string, actual: Float32Array, expected: Float32Array, scale: (i: number) => number): void {
  for (let i = 0; i < actual.length; i++) {
    const tol = RTOL * scale(i) + 1e-30;
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) expect.fail(`${label}[${i}]: wasm ${actual[i]}, js ${expected[i]}, tolerance ${tol}`);
  }
}

describe('adamUpdate: TS kernel vs WebAssembly SIMD kernel', () => {
  for (const [name, adam] of IMPLEMENTATIONS) {
    for (const n of [1, 3, 4, 5, 257, 5000]) {
      for (const amsgrad of [false, true]) {
        it(`${name}: n=${n}${amsgrad ? ', AMSGrad' : ''}, keep 0.999 and gscale 0.5`, () => {
          const alpha = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-7, keep = 0.999, gscale = 0.5;
          const p0 = filled(n, n, -1, 1), g = filled(n, n + 1, -2, 2);
          const m0 = filled(n, n + 2, -0.1, 0.1), v0 = filled(n, n + 3, 0, 0.01), h0 = filled(n, n + 4, 0, 0.01);
          const [pJ, mJ, vJ, hJ] = [p0.slice(), m0.slice(), v0.slice(), h0.slice()];
          const [pW, mW, vW, hW] = [p0.slice(), m0.slice(), v0.slice(), h0.slice()];
          adamJs(pJ, g, mJ, vJ, amsgrad ? hJ : null, alpha, beta1, beta2, eps, keep, gscale);
          adam(pW, g, mW, vW, amsgrad ? hW : null, alpha, beta1, beta2, eps, keep, gscale);
          const gs = (i: number) => Math.abs(g[i]! * gscale);
          expectNear('m', mW, mJ, (i) => Math.abs(m0[i]!) + gs(i));
          expectNear('v', vW, vJ, (i) => Math.abs(v0[i]!) + gs(i) ** 2);
          if (amsgrad) expectNear('vhat', hW, hJ, (i) => Math.abs(h0[i]!) + Math.abs(v0[i]!) + gs(i) ** 2);
          else expect(Array.from(hW)).toEqual(Array.from(h0));
          const denom = (i: number) => Math.sqrt(amsgrad ? Math.max(hJ[i]!, vJ[i]!) : vJ[i]!) + eps;
          expectNear('p', pW, pJ, (i) => Math.abs(p0[i]! * keep) + Math.abs(alpha * mJ[i]! / denom(i)));
        });
      }
    }
  }

  it('a hand-computed first step', () => {
    // m = 0.1*0.5 = 0.05, v = 0.001*0.25 = 0.00025, p = 1 - 0.001*0.05/(sqrt(0.00025) + 1e-7)
    //   = 1 - 0.00005/0.0158114883 = 1 - 0.0031622577 = 0.9968377423
    const p = new Float32Array([1]), m = new Float32Array(1), v = new Float32Array(1);
    wasmAdam(p, new Float32Array([0.5]), m, v, null, 1e-3, 0.9, 0.999, 1e-7, 1, 1);
    expect(m[0]).toBeCloseTo(0.05, 7);
    expect(v[0]).toBeCloseTo(0.00025, 9);
    expect(p[0]).toBeCloseTo(0.9968377423, 6);
  });

  it('rejects a negative minAdam', () => {
    expect(() => createWasmBackend({ minAdam: -1 })).toThrow(/minAdam/);
  });
});

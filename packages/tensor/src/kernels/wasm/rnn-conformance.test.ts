/**
 * The WASM LSTM gate kernel (f32x4 exp / Eigen tanh) against the TS kernel (float64 per element, stored as
 * float32) and against float64 math: one step from the same pre-activations and carry, for unit counts around
 * the vector width, with a sequence mask, inputs far into the saturated tails and below tanh's 4e-4 cut.
 * Also the whole lstm op on both backends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { lstmStepBackward as lstmStepBackwardJs, lstmStepForward as lstmStepJs } from '../rnn';
import { createWasmBackend } from './index';
import { cpuBackend, getBackendName, setBackend } from '../index';
import * as mk from '../../index';

const wasm = createWasmBackend();
const TANH = 1, SIGMOID = 2;

function filled(length: number, seed: number, lo: number, hi: number): Float32Array {
  const x = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = lo + (hi - lo) * (s / 2 ** 32);
  }
  return x;
}

/** A step's state: gates [T, B, 4U] with step s = 1 filled, H and C [T + 1, B, U] with step 1 filled. */
function state(B: number, U: number, seed: number, scale: number) {
  const T = 3, s = 1;
  const gates = new Float32Array(T * B * 4 * U);
  gates.set(filled(B * 4 * U, seed, -scale, scale), s * B * 4 * U);
  // A few exact tails and tiny values in every step: saturation, the clamps and tanh's linear range.
  const special = [100, -100, 30, -30, 8, -8, 3e-4, -3e-4, 0, 1e-6];
  for (let i = 0; i < special.length && i < B * 4 * U; i++) gates[s * B * 4 * U + i * 7 % (B * 4 * U)] = special[i]!;
  const H = new Float32Array((T + 1) * B * U), C = new Float32Array((T + 1) * B * U);
  H.set(filled(B * U, seed + 1, -1, 1), s * B * U);
  C.set(filled(B * U, seed + 2, -3, 3), s * B * U);
  return { gates, H, C, s, T };
}

describe('lstmStepForward: WebAssembly SIMD vs TS kernel', () => {
  for (const U of [4, 8, 12, 64]) {
    for (const B of [1, 5]) {
      for (const masked of [false, true]) {
        it(`B=${B}, U=${U}${masked ? ', masked rows' : ''}`, () => {
          const a = state(B, U, U * 10 + B, 6), b = state(B, U, U * 10 + B, 6);
          const mask = masked ? Float32Array.from({ length: B * a.T }, (_, i) => (i % 3 === 1 ? 0 : 1)) : null;
          lstmStepJs(a.gates, a.H, a.C, a.s, 1, B, U, a.T, mask, TANH, SIGMOID);
          wasm.lstmStepForward(b.gates, b.H, b.C, b.s, 1, B, U, b.T, mask, TANH, SIGMOID);
          let worst = 0;
          for (const [x, y] of [[a.H, b.H], [a.C, b.C]] as const) for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
          // Gates of kept rows (masked rows' gates are never read).
          for (let r = 0; r < B; r++) {
            if (mask && mask[r * a.T + 1] === 0) continue;
            for (let j = 0; j < 4 * U; j++) { const k = (a.s * B + r) * 4 * U + j; worst = Math.max(worst, Math.abs(a.gates[k]! - b.gates[k]!)); }
          }
          expect(worst).toBeLessThan(1e-6);
          if (mask) {
            for (let r = 0; r < B; r++) {
              if (mask[r * a.T + 1] !== 0) continue;
              for (let j = 0; j < U; j++) {
                expect(b.H[(2 * B + r) * U + j]).toBe(b.H[(B + r) * U + j]);
                expect(b.C[(2 * B + r) * U + j]).toBe(b.C[(B + r) * U + j]);
              }
            }
          }
        });
      }
    }
  }

  it('stays within 1e-6 of float64 sigmoid and tanh over [-20, 20]', () => {
    const B = 2, U = 64;
    const st = state(B, U, 99, 20);
    const z = st.gates.slice(st.s * B * 4 * U, (st.s + 1) * B * 4 * U);
    wasm.lstmStepForward(st.gates, st.H, st.C, st.s, 1, B, U, st.T, null, TANH, SIGMOID);
    let worst = 0;
    for (let r = 0; r < B; r++) {
      for (let j = 0; j < 4 * U; j++) {
        const v = z[r * 4 * U + j]!, got = st.gates[(st.s * B + r) * 4 * U + j]!;
        const want = j >= 2 * U && j < 3 * U ? Math.tanh(v) : 1 / (1 + Math.exp(-v));
        worst = Math.max(worst, Math.abs(got - want));
      }
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('falls back to the TS kernel (identical bits) for other activations and units % 4 !== 0', () => {
    for (const [U, act, rec] of [[6, TANH, SIGMOID], [8, TANH, 3], [8, 5, SIGMOID]] as const) {
      const a = state(3, U, 7, 4), b = state(3, U, 7, 4);
      lstmStepJs(a.gates, a.H, a.C, a.s, 1, 3, U, a.T, null, act, rec);
      wasm.lstmStepForward(b.gates, b.H, b.C, b.s, 1, 3, U, b.T, null, act, rec);
      expect(Array.from(b.H)).toEqual(Array.from(a.H));
      expect(Array.from(b.gates)).toEqual(Array.from(a.gates));
    }
  });
});

describe('lstmStepBackward: WebAssembly SIMD vs TS kernel', () => {
  for (const U of [4, 12, 64]) {
    for (const masked of [false, true]) {
      it(`B=5, U=${U}${masked ? ', masked rows' : ''}`, () => {
        const B = 5;
        const st = state(B, U, U + 3, 4);
        const mask = masked ? Float32Array.from({ length: B * st.T }, (_, i) => (i % 3 === 1 ? 0 : 1)) : null;
        lstmStepJs(st.gates, st.H, st.C, st.s, 1, B, U, st.T, mask, TANH, SIGMOID);
        const dh = filled(B * U, U + 5, -1, 1), dc0 = filled(B * U, U + 6, -1, 1);
        const run = (step: typeof lstmStepBackwardJs) => {
          const dc = dc0.slice(), dz = new Float32Array(st.gates.length).fill(7), dhPrev = new Float32Array(B * U).fill(7);
          step(st.gates, st.H, st.C, st.s, 1, B, U, st.T, mask, TANH, SIGMOID, dh, dc, dz, dhPrev);
          return { dc, dz: dz.subarray(st.s * B * 4 * U, (st.s + 1) * B * 4 * U), dhPrev };
        };
        const j = run(lstmStepBackwardJs), w = run(wasm.lstmStepBackward);
        for (const key of ['dc', 'dz', 'dhPrev'] as const) {
          let worst = 0;
          for (let i = 0; i < j[key].length; i++) worst = Math.max(worst, Math.abs(j[key][i]! - w[key][i]!));
          expect(worst, key).toBeLessThan(1e-6);
        }
        if (mask) {
          // A masked row passes dh and dc straight through and has no gate gradient.
          for (let r = 0; r < B; r++) {
            if (mask[r * st.T + 1] !== 0) continue;
            expect(Array.from(w.dhPrev.subarray(r * U, (r + 1) * U))).toEqual(Array.from(dh.subarray(r * U, (r + 1) * U)));
            expect(Array.from(w.dc.subarray(r * U, (r + 1) * U))).toEqual(Array.from(dc0.subarray(r * U, (r + 1) * U)));
            expect(w.dz.subarray(r * 4 * U, (r + 1) * 4 * U).every((v) => v === 0)).toBe(true);
          }
        }
      });
    }
  }
});

describe('the lstm op on the wasm and js backends', () => {
  const previous = getBackendName();
  afterEach(() => { if (previous === 'wasm') setBackend(wasm); else setBackend(cpuBackend); });

  it('agrees within 1e-6 (outputs, final states and gradients), masked, units 8', () => {
    const x = mk.randomUniform([3, 7, 5], -1, 1, { seed: 1 });
    const k = mk.randomUniform([5, 32], -0.5, 0.5, { seed: 2 }), r = mk.randomUniform([8, 32], -0.5, 0.5, { seed: 3 });
    const b = mk.randomUniform([32], -0.5, 0.5, { seed: 4 });
    const mask = mk.tensor([[1, 1, 1, 1, 1, 1, 1], [0, 1, 1, 0, 1, 1, 1], [1, 1, 1, 1, 0, 0, 0]]);
    const run = () => mk.valueAndGrads((xx: mk.Tensor, kk: mk.Tensor, rr: mk.Tensor, bb: mk.Tensor) => {
      const out = mk.lstm(xx, kk, rr, bb, { mask, returnSequences: true, goBackwards: true });
      return mk.concat([out.output.flatten(), out.h.flatten(), out.c.flatten()], 0).square();
    })(x, k, r, b);
    setBackend(wasm);
    const w = run();
    setBackend(cpuBackend);
    const j = run();
    const diff = (p: mk.Tensor, q: mk.Tensor) => Math.max(...Array.from(p.values, (v, i) => Math.abs(v - q.values[i]!)));
    expect(diff(w.value, j.value)).toBeLessThan(1e-6);
    w.grads.forEach((g, i) => expect(diff(g, j.grads[i]!)).toBeLessThan(1e-6));
  });
});

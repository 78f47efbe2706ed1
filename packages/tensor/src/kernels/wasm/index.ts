/**
 * WebAssembly SIMD128 backend: a partial `Backend` whose matmul and Adam update run hand-written WASM
 * (kernels.wat) and delegate to the plain TS kernels wherever WASM does not pay (tiny products, small
 * variables, non-float32 storage). The conv2d kernels (im2col + GEMM) reuse the TS im2col with this matmul.
 *
 * ```ts
 * import { setBackend } from '../kernels';
 * if (wasmSimdSupported()) setBackend(createWasmBackend());
 * ```
 *
 * `createWasmBackend` compiles synchronously. That is fine in Node, in workers, and on a browser main thread
 * for this module (~3.7 KB): Chrome refuses synchronous `new WebAssembly.Module` on the main thread only for
 * buffers over 4 KB. Should the module outgrow that, browsers must use the async `initWasmBackend`.
 */
import { matmul as matmulJs } from '../matmul';
import { adamUpdate as adamUpdateJs } from '../optim';
import {
  conv2d as conv2dJs, conv2dBackpropFilter as conv2dBackpropFilterJs, conv2dBackpropInput as conv2dBackpropInputJs,
  conv2dBiasActivation as conv2dBiasActivationJs, conv2dBiasActivationBackprop as conv2dBiasActivationBackpropJs,
  conv2dBiasActivationMaxPoolBackprop as conv2dBiasActivationMaxPoolBackpropJs,
} from '../conv';
import type { Backend } from '../index';
import type { NumArray } from '../elementwise';
import { WasmGemm } from './gemm';
import { WasmOptim } from './optim';
import { WasmRnn } from './rnn';
import { lstmStepBackward as lstmStepBackwardJs, lstmStepForward as lstmStepForwardJs, rnnCarryMaskedRows } from '../rnn';
import { instantiateKernels, instantiateKernelsSync, wasmRelaxedSimdSupported, wasmSimdSupported } from './module';
import type { KernelExports, KernelVariant } from './module';

export { wasmRelaxedSimdSupported, wasmSimdSupported };
export type { KernelVariant };

/**
 * Below this many multiply-adds (m*k*n) matmul stays in TS: a WASM call costs about 1 µs of fixed overhead
 * (three copies, the call, packing), which is what a plain-JS 4x4x8 product takes. Measured on the project
 * machine (`node scripts/bench-matmul.mjs --small`): at m*k*n = 64 (XOR's 4x2x8) TS is 2x faster, around
 * 128-256 they tie, at 512 WASM is 1.6-2.8x faster and at 4096 (16x16x16) 6-8x.
 */
export const DEFAULT_WASM_MIN_WORK = 256;

/**
 * Adam updates of fewer parameters than this stay in TS (a bias vector, say): below it the copies and the
 * call cost more than the SIMD loop saves. Measured on the project machine: at 100 parameters TS is 1.5x
 * faster, at 1,290 WASM is 4x faster, at W1's 100,352-weight kernel 8x.
 */
export const DEFAULT_WASM_MIN_ADAM = 256;

/** Options of {@link createWasmBackend} and {@link initWasmBackend}. */
export interface WasmBackendOptions {
  /** Products with m*k*n below this use the TS kernel (default DEFAULT_WASM_MIN_WORK; 0 sends all to WASM). */
  minWork?: number;
  /** Kernel build; by default 'relaxed-simd' where the runtime validates it, else 'simd128'. */
  variant?: KernelVariant;
  /** Adam updates of fewer parameters use the TS kernel (default DEFAULT_WASM_MIN_ADAM; 0 sends all to WASM). */
  minAdam?: number;
}

/** The kernels the WASM backend replaces; `setBackend` takes the rest from the TS reference. */
export type WasmBackend = Partial<Backend> & Pick<Backend, 'matmul' | 'conv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter' | 'conv2dBiasActivation' | 'conv2dBiasActivationBackprop' | 'conv2dBiasActivationMaxPoolBackprop' | 'adamUpdate' | 'lstmStepForward' | 'lstmStepBackward'> & {
  name: string;
  /** The kernel build in use (for benchmarks and bug reports). */
  variant: KernelVariant;
};

/** Compiles the embedded module synchronously; throws if the runtime lacks WebAssembly SIMD128. */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  const variant = pickVariant(options);
  return makeBackend(instantiateKernelsSync(variant), variant, options);
}

/** Async variant of `createWasmBackend`, for browser main threads (no synchronous-compile size limit). */
export async function initWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const variant = pickVariant(options);
  return makeBackend(await instantiateKernels(variant), variant, options);
}

function pickVariant(options: WasmBackendOptions): KernelVariant {
  const v = options.variant;
  if (v !== undefined && v !== 'simd128' && v !== 'relaxed-simd') {
    throw new Error(`createWasmBackend: variant must be 'simd128' or 'relaxed-simd', got ${JSON.stringify(v)}`);
  }
  return v ?? (wasmRelaxedSimdSupported() ? 'relaxed-simd' : 'simd128');
}

function makeBackend(exports: KernelExports, variant: KernelVariant, options: WasmBackendOptions): WasmBackend {
  const minWork = options.minWork ?? DEFAULT_WASM_MIN_WORK;
  if (!(minWork >= 0)) throw new Error(`createWasmBackend: minWork must be a number >= 0, got ${String(minWork)}`);
  const minAdam = options.minAdam ?? DEFAULT_WASM_MIN_ADAM;
  if (!(minAdam >= 0)) throw new Error(`createWasmBackend: minAdam must be a number >= 0, got ${String(minAdam)}`);
  const gemm = new WasmGemm(exports);

  function matmul(
    a: NumArray, b: NumArray, c: NumArray,
    m: number, k: number, n: number,
    transposeA = false, transposeB = false,
    aOffset = 0, bOffset = 0, cOffset = 0, accumulate = false,
  ): void {
    if (
      m * k * n < minWork
      || !(a instanceof Float32Array) || !(b instanceof Float32Array) || !(c instanceof Float32Array)
      || !gemm.run(a, b, c, m, k, n, transposeA, transposeB, aOffset, bOffset, cOffset, accumulate)
    ) {
      matmulJs(a, b, c, m, k, n, transposeA, transposeB, aOffset, bOffset, cOffset, accumulate);
    }
  }

  const optim = new WasmOptim(exports);
  function adamUpdate(
    p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vhat: Float32Array | null,
    alpha: number, beta1: number, beta2: number, epsilon: number, keep: number, gscale: number,
  ): void {
    if (p.length < minAdam) adamUpdateJs(p, g, m, v, vhat, alpha, beta1, beta2, epsilon, keep, gscale);
    else optim.adam(p, g, m, v, vhat, alpha, beta1, beta2, epsilon, keep, gscale);
  }

  // LSTM gate math in SIMD for Keras' default activations (tanh, sigmoid) and units % 4 === 0; the TS kernel
  // otherwise. Masked rows are computed like the others and then restored from the previous states.
  const rnn = new WasmRnn(exports);
  const TANH = 1, SIGMOID = 2;
  function lstmStepForward(
    gates: Float32Array, H: Float32Array, C: Float32Array, s: number, t: number,
    B: number, U: number, T: number, mask: NumArray | null, act: number, recAct: number,
  ): void {
    if (act !== TANH || recAct !== SIGMOID || (U & 3) !== 0) {
      lstmStepForwardJs(gates, H, C, s, t, B, U, T, mask, act, recAct);
      return;
    }
    rnn.lstmStep(gates, H, C, s, B, U);
    if (mask) {
      rnnCarryMaskedRows(H, s, t, B, U, T, mask);
      rnnCarryMaskedRows(C, s, t, B, U, T, mask);
    }
  }

  let dcIn = new Float32Array(0);
  function lstmStepBackward(
    gates: Float32Array, H: Float32Array, C: Float32Array, s: number, t: number,
    B: number, U: number, T: number, mask: NumArray | null, act: number, recAct: number,
    dh: Float32Array, dc: Float32Array, dz: Float32Array, dhPrev: Float32Array,
  ): void {
    if (act !== TANH || recAct !== SIGMOID || (U & 3) !== 0) {
      lstmStepBackwardJs(gates, H, C, s, t, B, U, T, mask, act, recAct, dh, dc, dz, dhPrev);
      return;
    }
    const bu = B * U;
    if (mask) {
      if (dcIn.length < bu) dcIn = new Float32Array(bu);
      dcIn.set(dc.subarray(0, bu));
    }
    rnn.lstmStepBackward(gates, C, s, B, U, dh, dc, dz);
    dhPrev.fill(0, 0, bu);
    if (!mask) return;
    // Masked rows: no gate gradient, and dh, dc pass straight to the previous step.
    for (let b = 0; b < B; b++) {
      if (mask[b * T + t] !== 0) continue;
      const row = b * U, zRow = (s * B + b) * 4 * U;
      dz.fill(0, zRow, zRow + 4 * U);
      for (let j = 0; j < U; j++) { dc[row + j] = dcIn[row + j]!; dhPrev[row + j] = dh[row + j]!; }
    }
  }

  // The conv kernels keep their TS im2col/col2im and issue their three products through this matmul.
  return {
    name: 'wasm',
    variant,
    matmul,
    conv2d: (x, filter, y, g) => conv2dJs(x, filter, y, g, matmul),
    conv2dBackpropInput: (dy, filter, dx, g) => conv2dBackpropInputJs(dy, filter, dx, g, matmul),
    conv2dBackpropFilter: (x, dy, dFilter, g) => conv2dBackpropFilterJs(x, dy, dFilter, g, matmul),
    conv2dBiasActivation: (x, filter, bias, activation, y, g) => conv2dBiasActivationJs(x, filter, bias, activation, y, g, matmul),
    conv2dBiasActivationBackprop: (x, filter, y, activation, dy, dx, dFilter, dBias, g) =>
      conv2dBiasActivationBackpropJs(x, filter, y, activation, dy, dx, dFilter, dBias, g, matmul),
    conv2dBiasActivationMaxPoolBackprop: (x, filter, activation, poolArg, poolY, poolDy, pg, dx, dFilter, dBias, g) =>
      conv2dBiasActivationMaxPoolBackpropJs(x, filter, activation, poolArg, poolY, poolDy, pg, dx, dFilter, dBias, g, matmul),
    adamUpdate,
    lstmStepForward,
    lstmStepBackward,
  };
}

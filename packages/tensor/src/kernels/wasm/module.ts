/**
 * Decoding, feature detection and instantiation of the embedded kernels module. The binary ships as base64
 * inside a TS module (see scripts/build-wasm.mjs), so neither Node nor a browser bundle loads a file.
 */
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-wasm.generated';

/** `(module (func (result v128) (f32x4.add (v128.const …) (v128.const …))))`: valid only where SIMD128 is. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 43, 1, 41, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 228, 1, 11,
]);

/** `(module (func (result v128) (f32x4.relaxed_madd (v128.const …) ×3)))`: valid only with relaxed SIMD. */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 133, 2, 11,
]);

/**
 * Which build of kernels.wat to run: 'simd128' everywhere SIMD exists; 'relaxed-simd' fuses the micro-kernel's
 * multiply-adds (`f32x4.relaxed_madd`), on by default in Node >= 22 and current browsers, behind
 * `--experimental-wasm-relaxed-simd` in Node 20.
 */
export type KernelVariant = 'simd128' | 'relaxed-simd';

/** What kernels.wat exports. Pointers and sizes are byte offsets / element counts in linear memory. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  sgemm(
    m: number, k: number, n: number,
    a: number, rsA: number, csA: number,
    b: number, rsB: number, csB: number,
    c: number, accumulate: number,
    packA: number, packB: number, packAllB: number,
    mcBlock: number, kcBlock: number, ncBlock: number,
  ): void;
  adamUpdate(
    n: number, p: number, g: number, m: number, v: number, vhat: number,
    alpha: number, a1: number, a2: number, epsilon: number, keep: number, gscale: number,
  ): void;
  /** LSTM gate math (tanh / sigmoid) of one step, rows x units with units % 4 === 0; see kernels.wat. */
  lstmGates(rows: number, units: number, z: number, cPrev: number, c: number, h: number): void;
  /** Its backward: dz from the activated gates, carries and dh; dc becomes dL/dcPrev in place. */
  lstmGatesBackward(rows: number, units: number, z: number, cPrev: number, c: number, dh: number, dc: number, dz: number): void;
}

/** True when this runtime has WebAssembly with the fixed-width SIMD128 proposal (Node >= 16.4, all current browsers). */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** True when this runtime also accepts the relaxed-SIMD proposal (fused multiply-add). */
export function wasmRelaxedSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_SIMD_PROBE);
  } catch {
    return false;
  }
}

export function kernelBytes(variant: KernelVariant = 'simd128'): Uint8Array<ArrayBuffer> {
  // atob exists in browsers and in Node >= 16; no Buffer, so bundlers need no polyfill.
  const text = atob(variant === 'relaxed-simd' ? KERNELS_RELAXED_WASM_BASE64 : KERNELS_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function checkSupport(variant: KernelVariant): void {
  if (!wasmSimdSupported()) {
    throw new Error('WebAssembly backend: this runtime lacks WebAssembly SIMD128 (needs Node >= 16.4 or a current browser); use the js backend');
  }
  if (variant === 'relaxed-simd' && !wasmRelaxedSimdSupported()) {
    throw new Error("WebAssembly backend: relaxed SIMD was requested but this runtime lacks it (Node 20 needs --experimental-wasm-relaxed-simd); use 'simd128'");
  }
}

/** Synchronous compile. The module is ~3.7 KB, under Chrome's 4 KB limit for sync compiles on the main thread. */
export function instantiateKernelsSync(variant: KernelVariant = 'simd128'): KernelExports {
  checkSupport(variant);
  return bind(new WebAssembly.Instance(new WebAssembly.Module(kernelBytes(variant)), {}));
}

export async function instantiateKernels(variant: KernelVariant = 'simd128'): Promise<KernelExports> {
  checkSupport(variant);
  const { instance } = await WebAssembly.instantiate(kernelBytes(variant), {});
  return bind(instance);
}

function bind(instance: WebAssembly.Instance): KernelExports {
  const { memory, sgemm, adamUpdate, lstmGates, lstmGatesBackward } = instance.exports;
  if (
    !(memory instanceof WebAssembly.Memory) || typeof sgemm !== 'function' || typeof adamUpdate !== 'function'
    || typeof lstmGates !== 'function' || typeof lstmGatesBackward !== 'function'
  ) {
    throw new Error('WebAssembly backend: the embedded kernels module lacks one of its exports memory, sgemm, adamUpdate, lstmGates, lstmGatesBackward (stale kernels-wasm.generated.ts?)');
  }
  return {
    memory, sgemm: sgemm as KernelExports['sgemm'], adamUpdate: adamUpdate as KernelExports['adamUpdate'],
    lstmGates: lstmGates as KernelExports['lstmGates'], lstmGatesBackward: lstmGatesBackward as KernelExports['lstmGatesBackward'],
  };
}

/**
 * Decoding, feature detection and instantiation of the embedded kernels module. The binary ships as base64
 * inside a TS module (see scripts/build-wasm.mjs), so neither Node nor a browser bundle loads a file.
 */
import { KERNELS_WASM_BASE64 } from './kernels-wasm.generated';

/** `(module (func (result v128) (f32x4.add (v128.const …) (v128.const …))))`: valid only where SIMD128 is. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 43, 1, 41, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 228, 1, 11,
]);

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
}

/** True when this runtime has WebAssembly with the fixed-width SIMD128 proposal (Node >= 16.4, all current browsers). */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

export function kernelBytes(): Uint8Array<ArrayBuffer> {
  // atob exists in browsers and in Node >= 16; no Buffer, so bundlers need no polyfill.
  const text = atob(KERNELS_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function checkSupport(): void {
  if (!wasmSimdSupported()) {
    throw new Error('WebAssembly backend: this runtime lacks WebAssembly SIMD128 (needs Node >= 16.4 or a current browser); use the js backend');
  }
}

/** Synchronous compile. The module is ~2 KB, under Chrome's 4 KB limit for sync compiles on the main thread. */
export function instantiateKernelsSync(): KernelExports {
  checkSupport();
  return bind(new WebAssembly.Instance(new WebAssembly.Module(kernelBytes()), {}));
}

export async function instantiateKernels(): Promise<KernelExports> {
  checkSupport();
  const { instance } = await WebAssembly.instantiate(kernelBytes(), {});
  return bind(instance);
}

function bind(instance: WebAssembly.Instance): KernelExports {
  const { memory, sgemm } = instance.exports;
  if (!(memory instanceof WebAssembly.Memory) || typeof sgemm !== 'function') {
    throw new Error('WebAssembly backend: the embedded kernels module lacks its memory or sgemm export (stale kernels-wasm.generated.ts?)');
  }
  return { memory, sgemm: sgemm as KernelExports['sgemm'] };
}

/**
 * The JS half of the WebAssembly optimizer updates: copies the variable, its gradient and its slots into
 * linear memory, runs the SIMD loop and copies the updated arrays back (tensors stay in JS typed arrays).
 */
import type { KernelExports } from './module';

const PAGE_BYTES = 65536;
/** Above the sgemm spill area; the two never run at the same time, so they share the scratch region. */
const FIRST_FREE = 256;
/** Floats per array per chunk: 5 arrays x 32 KB stay in L2 (512 KB) next to what the caller streams. */
const CHUNK = 8192;

export class WasmOptim {
  private heap: Float32Array;

  constructor(private readonly wasm: KernelExports, private readonly chunkFloats = CHUNK) {
    if (!(chunkFloats >= 4)) throw new Error(`WasmOptim: chunkFloats must be >= 4, got ${chunkFloats}`);
    this.heap = new Float32Array(wasm.memory.buffer);
  }

  /** The `adamUpdate` kernel contract (kernels/optim.ts), in float32 arithmetic. */
  adam(
    p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vhat: Float32Array | null,
    alpha: number, beta1: number, beta2: number, epsilon: number, keep: number, gscale: number,
  ): void {
    const n = p.length;
    // Chunks keep the scratch side of every copy in L2: copying a whole 100k-parameter variable in and out
    // instead goes through L3 twice.
    const chunk = Math.min(n, this.chunkFloats);
    // Arrays padded to whole vectors (see kernels.wat): no scalar tail in the loop.
    const stride = Math.ceil(chunk / 4) * 16;
    const pPtr = FIRST_FREE, gPtr = pPtr + stride, mPtr = gPtr + stride, vPtr = mPtr + stride;
    const vhatPtr = vhat === null ? 0 : vPtr + stride;
    const heap = this.reserve((vhat === null ? vPtr : vhatPtr) + stride);
    const a1 = 1 - beta1, a2 = 1 - beta2;
    for (let i0 = 0; i0 < n; i0 += chunk) {
      const i1 = Math.min(i0 + chunk, n), len = i1 - i0;
      heap.set(p.subarray(i0, i1), pPtr >>> 2);
      heap.set(g.subarray(i0, i1), gPtr >>> 2);
      heap.set(m.subarray(i0, i1), mPtr >>> 2);
      heap.set(v.subarray(i0, i1), vPtr >>> 2);
      if (vhat !== null) heap.set(vhat.subarray(i0, i1), vhatPtr >>> 2);
      this.wasm.adamUpdate(len, pPtr, gPtr, mPtr, vPtr, vhatPtr, alpha, a1, a2, epsilon, keep, gscale);
      p.set(heap.subarray(pPtr >>> 2, (pPtr >>> 2) + len), i0);
      m.set(heap.subarray(mPtr >>> 2, (mPtr >>> 2) + len), i0);
      v.set(heap.subarray(vPtr >>> 2, (vPtr >>> 2) + len), i0);
      if (vhat !== null) vhat.set(heap.subarray(vhatPtr >>> 2, (vhatPtr >>> 2) + len), i0);
    }
  }

  private reserve(bytes: number): Float32Array {
    const memory = this.wasm.memory;
    const have = memory.buffer.byteLength;
    if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
    if (this.heap.buffer !== memory.buffer) this.heap = new Float32Array(memory.buffer);
    return this.heap;
  }
}

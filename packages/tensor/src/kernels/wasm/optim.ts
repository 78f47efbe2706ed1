/**
 * The JS half of the WebAssembly optimizer updates: copies the variable, its gradient and its slots into
 * linear memory, runs the SIMD loop and copies the updated arrays back (tensors stay in JS typed arrays).
 */
import type { KernelExports } from './module';

const PAGE_BYTES = 65536;
/** Above the sgemm spill area; the two never run at the same time, so they share the scratch region. */
const FIRST_FREE = 256;
const MAX_BYTES = 2 ** 31 - PAGE_BYTES;

export class WasmOptim {
  private heap: Float32Array;

  constructor(private readonly wasm: KernelExports) {
    this.heap = new Float32Array(wasm.memory.buffer);
  }

  /**
   * The `adamUpdate` kernel contract (kernels/optim.ts) in float32 arithmetic. Returns false, having done
   * nothing, when the arrays would not fit in linear memory.
   */
  adam(
    p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vhat: Float32Array | null,
    alpha: number, beta1: number, beta2: number, epsilon: number, keep: number, gscale: number,
  ): boolean {
    const n = p.length;
    // Arrays padded to whole vectors (see kernels.wat): no scalar tail in the loop.
    const stride = Math.ceil(n / 4) * 16;
    const pPtr = FIRST_FREE, gPtr = pPtr + stride, mPtr = gPtr + stride, vPtr = mPtr + stride;
    const vhatPtr = vhat === null ? 0 : vPtr + stride;
    const end = (vhat === null ? vPtr : vhatPtr) + stride;
    if (end > MAX_BYTES) return false;
    const heap = this.reserve(end);
    heap.set(p, pPtr >>> 2);
    heap.set(g.length === n ? g : g.subarray(0, n), gPtr >>> 2);
    heap.set(m, mPtr >>> 2);
    heap.set(v, vPtr >>> 2);
    if (vhat !== null) heap.set(vhat, vhatPtr >>> 2);
    this.wasm.adamUpdate(n, pPtr, gPtr, mPtr, vPtr, vhatPtr, alpha, 1 - beta1, 1 - beta2, epsilon, keep, gscale);
    p.set(heap.subarray(pPtr >>> 2, (pPtr >>> 2) + n));
    m.set(heap.subarray(mPtr >>> 2, (mPtr >>> 2) + n));
    v.set(heap.subarray(vPtr >>> 2, (vPtr >>> 2) + n));
    if (vhat !== null) vhat.set(heap.subarray(vhatPtr >>> 2, (vhatPtr >>> 2) + n));
    return true;
  }

  private reserve(bytes: number): Float32Array {
    const memory = this.wasm.memory;
    const have = memory.buffer.byteLength;
    if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
    if (this.heap.buffer !== memory.buffer) this.heap = new Float32Array(memory.buffer);
    return this.heap;
  }
}

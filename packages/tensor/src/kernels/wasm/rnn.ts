/**
 * The JS half of the WebAssembly recurrent gate kernels: copies one step's gate pre-activations and previous
 * carry into linear memory, runs the SIMD gate math and copies the activated gates and new states back
 * (tensors stay in JS typed arrays; the step's matmul has already run through the sgemm).
 */
import type { KernelExports } from './module';

const PAGE_BYTES = 65536;
/** Above the sgemm spill area; kernels never run at the same time, so they share the scratch region. */
const FIRST_FREE = 256;

export class WasmRnn {
  private heap: Float32Array;

  constructor(private readonly wasm: KernelExports) {
    this.heap = new Float32Array(wasm.memory.buffer);
  }

  /**
   * The `lstmStepForward` contract (kernels/rnn.ts) for tanh / sigmoid and units % 4 === 0, every row
   * computed (the caller restores masked rows): gates[s] activated in place, C[s + 1] and H[s + 1] written.
   */
  lstmStep(gates: Float32Array, H: Float32Array, C: Float32Array, s: number, B: number, U: number): void {
    const n = 4 * B * U, bu = B * U;
    const zPtr = FIRST_FREE, cPrevPtr = zPtr + 4 * n, cPtr = cPrevPtr + 4 * bu, hPtr = cPtr + 4 * bu;
    const heap = this.reserve(hPtr + 4 * bu);
    heap.set(gates.subarray(s * n, (s + 1) * n), zPtr >>> 2);
    heap.set(C.subarray(s * bu, (s + 1) * bu), cPrevPtr >>> 2);
    this.wasm.lstmGates(B, U, zPtr, cPrevPtr, cPtr, hPtr);
    gates.set(heap.subarray(zPtr >>> 2, (zPtr >>> 2) + n), s * n);
    C.set(heap.subarray(cPtr >>> 2, (cPtr >>> 2) + bu), (s + 1) * bu);
    H.set(heap.subarray(hPtr >>> 2, (hPtr >>> 2) + bu), (s + 1) * bu);
  }

  /**
   * The `lstmStepBackward` contract (kernels/rnn.ts) for tanh / sigmoid and units % 4 === 0, every row
   * computed (the caller fixes masked rows): dz[s] written, dc turned into dL/dc_{s-1}.
   */
  lstmStepBackward(gates: Float32Array, C: Float32Array, s: number, B: number, U: number, dh: Float32Array, dc: Float32Array, dz: Float32Array): void {
    const n = 4 * B * U, bu = B * U;
    const zPtr = FIRST_FREE, cPrevPtr = zPtr + 4 * n, cPtr = cPrevPtr + 4 * bu, dhPtr = cPtr + 4 * bu, dcPtr = dhPtr + 4 * bu, dzPtr = dcPtr + 4 * bu;
    const heap = this.reserve(dzPtr + 4 * n);
    heap.set(gates.subarray(s * n, (s + 1) * n), zPtr >>> 2);
    heap.set(C.subarray(s * bu, (s + 2) * bu), cPrevPtr >>> 2);
    heap.set(dh.subarray(0, bu), dhPtr >>> 2);
    heap.set(dc.subarray(0, bu), dcPtr >>> 2);
    this.wasm.lstmGatesBackward(B, U, zPtr, cPrevPtr, cPtr, dhPtr, dcPtr, dzPtr);
    dz.set(heap.subarray(dzPtr >>> 2, (dzPtr >>> 2) + n), s * n);
    dc.set(heap.subarray(dcPtr >>> 2, (dcPtr >>> 2) + bu));
  }

  private reserve(bytes: number): Float32Array {
    const memory = this.wasm.memory;
    const have = memory.buffer.byteLength;
    if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
    if (this.heap.buffer !== memory.buffer) this.heap = new Float32Array(memory.buffer);
    return this.heap;
  }
}

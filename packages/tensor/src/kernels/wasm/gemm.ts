/**
 * The JS half of the WebAssembly sgemm: lays out one call's buffers in linear memory, copies the operands
 * in, runs `sgemm` and copies C back. Tensors stay in JS typed arrays (STYLE.md 8.3); linear memory is only
 * a scratch area that grows to the largest product seen and is reused by every later call.
 */
import type { KernelExports } from './module';

/** Cache blocking of kernels.wat (see the comment there). */
export interface GemmTuning {
  /** Rows of A packed at once (multiple of 4): the packed block, mcBlock x kcBlock floats, stays in L2. */
  mcBlock: number;
  /** Depth of one K slice: one 8-column panel of B, kcBlock x 8 floats, stays in L1. */
  kcBlock: number;
  /** Columns of B packed at once (multiple of 8). */
  ncBlock: number;
  /**
   * Pack row-major B only when op(A) has at least this many rows. With few rows, each B panel is reused
   * too few times to repay the packing pass, and the micro-kernel reads B in place instead.
   */
  packBMinRows: number;
}

/**
 * Chosen on the project machine (Zen 3, 32 KiB L1d, 512 KiB L2) with scripts/bench-matmul.mjs; kcBlock 128-384,
 * mcBlock 32-128 and either packBMinRows extreme measured within the host noise (about 10%) at the W1 shapes.
 */
export const DEFAULT_TUNING: GemmTuning = { mcBlock: 64, kcBlock: 256, ncBlock: 512, packBMinRows: 64 };

const PAGE_BYTES = 65536;
/** Bytes [0, 128) are the micro-kernel's spill area for ragged tiles. */
const FIRST_FREE = 256;
/** Pointers are i32 in the module; stay below 2 GiB so they are never negative. */
const MAX_BYTES = 2 ** 31 - PAGE_BYTES;

function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

export class WasmGemm {
  private heap: Float32Array;

  constructor(private readonly wasm: KernelExports, private readonly tuning: GemmTuning = DEFAULT_TUNING) {
    if (tuning.mcBlock % 4 !== 0 || tuning.ncBlock % 8 !== 0 || tuning.kcBlock < 1) {
      throw new Error(`WasmGemm: mcBlock must be a multiple of 4 and ncBlock of 8, got ${JSON.stringify(tuning)}`);
    }
    this.heap = new Float32Array(wasm.memory.buffer);
  }

  /** Bytes of linear memory currently reserved (it grows, never shrinks). */
  get memoryBytes(): number {
    return this.wasm.memory.buffer.byteLength;
  }

  /**
   * Same contract as the TS `matmul` kernel. Returns false, having done nothing, when the operands would
   * not fit in 2 GiB of linear memory; the caller then falls back to the TS kernel.
   */
  run(
    a: Float32Array, b: Float32Array, c: Float32Array,
    m: number, k: number, n: number,
    transposeA: boolean, transposeB: boolean,
    aOffset: number, bOffset: number, cOffset: number, accumulate: boolean,
  ): boolean {
    if (m === 0 || n === 0) return true;
    if (k === 0) {
      if (!accumulate) c.fill(0, cOffset, cOffset + m * n);
      return true;
    }
    const { mcBlock, kcBlock, ncBlock, packBMinRows } = this.tuning;
    const mc = Math.min(mcBlock, Math.ceil(m / 4) * 4);
    const kc = Math.min(kcBlock, k);
    const nc = Math.min(ncBlock, Math.ceil(n / 8) * 8);
    const packA = FIRST_FREE;
    const packB = packA + align64(mc * kc * 4);
    const aPtr = packB + align64(kc * nc * 4);
    const bPtr = aPtr + align64(m * k * 4);
    const cPtr = bPtr + align64(k * n * 4);
    const end = cPtr + m * n * 4;
    if (end > MAX_BYTES) return false;
    const heap = this.reserve(end);

    heap.set(aOffset === 0 && a.length === m * k ? a : a.subarray(aOffset, aOffset + m * k), aPtr >>> 2);
    heap.set(bOffset === 0 && b.length === k * n ? b : b.subarray(bOffset, bOffset + k * n), bPtr >>> 2);
    if (accumulate) heap.set(c.subarray(cOffset, cOffset + m * n), cPtr >>> 2);

    // Byte strides of op(A)(i, p) and op(B)(p, j) in their stored layouts; the packing absorbs transposes.
    const rsA = transposeA ? 4 : k * 4, csA = transposeA ? m * 4 : 4;
    const rsB = transposeB ? 4 : n * 4, csB = transposeB ? k * 4 : 4;
    const packAllB = transposeB || m >= packBMinRows ? 1 : 0;
    this.wasm.sgemm(
      m, k, n, aPtr, rsA, csA, bPtr, rsB, csB, cPtr, accumulate ? 1 : 0,
      packA, packB, packAllB, mcBlock, kcBlock, ncBlock,
    );
    c.set(heap.subarray(cPtr >>> 2, (cPtr >>> 2) + m * n), cOffset);
    return true;
  }

  /** Grows linear memory to at least `bytes`; growing detaches the old ArrayBuffer, so views are re-made. */
  private reserve(bytes: number): Float32Array {
    const memory = this.wasm.memory;
    const have = memory.buffer.byteLength;
    if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
    if (this.heap.buffer !== memory.buffer) this.heap = new Float32Array(memory.buffer);
    return this.heap;
  }
}

/**
 * C[m,n] = op(A) · op(B), op = optional transpose, all row-major Float32Arrays.
 *
 * The transposed cases are packed into row-major panels first so the inner loop is always the same
 * i-k-j saxpy over contiguous rows of B and C, processed four rows of C at a time (measured best plain-JS
 * shape on this machine class: each loaded B value is reused four times). Blocking over k keeps a panel
 * of B in L2 while all rows of A stream past it. No allocation happens inside the loops.
 */
import type { NumArray } from './elementwise';

const BLOCK_K = 128;
const BLOCK_N = 256;
/** m·k·n at or below which `matmulSmall` runs. */
const SMALL_WORK = 256;

let scratchA = new Float32Array(0);
let scratchB = new Float32Array(0);

function transposeInto(src: NumArray, rows: number, cols: number, dst: Float32Array): void {
  // src is [rows, cols]; dst becomes [cols, rows].
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) dst[c * rows + r] = src[o + c]!;
  }
}

/**
 * `aOffset`/`bOffset`/`cOffset` let batched matmul address one matrix of a stack without copying.
 * When `accumulate` is true, C += A·B (used by backward passes that sum over a batch).
 */
export function matmul(
  a: NumArray, b: NumArray, c: NumArray,
  m: number, k: number, n: number,
  transposeA = false, transposeB = false,
  aOffset = 0, bOffset = 0, cOffset = 0, accumulate = false,
): void {
  if (m * k * n <= SMALL_WORK && c instanceof Float32Array) {
    matmulSmall(a, b, c, m, k, n, transposeA, transposeB, aOffset, bOffset, cOffset, accumulate);
    return;
  }
  let A: NumArray = a, B: NumArray = b, aOff = aOffset, bOff = bOffset;
  if (transposeA) {
    // stored as [k, m]
    if (scratchA.length < m * k) scratchA = new Float32Array(m * k);
    transposeInto(aOffset === 0 && a.length === m * k ? a : a.subarray(aOffset, aOffset + m * k), k, m, scratchA);
    A = scratchA; aOff = 0;
  }
  if (transposeB) {
    // stored as [n, k]
    if (scratchB.length < k * n) scratchB = new Float32Array(k * n);
    transposeInto(bOffset === 0 && b.length === k * n ? b : b.subarray(bOffset, bOffset + k * n), n, k, scratchB);
    B = scratchB; bOff = 0;
  }
  if (!accumulate) c.fill(0, cOffset, cOffset + m * n);
  matmulNN(A, B, c, m, k, n, aOff, bOff, cOffset);
}

/**
 * Products this small (a tiny model's layers) are dominated by per-element loads and stores of C and by the
 * blocked path's set-up (packing transposed operands). Here each C entry is summed in a local, four entries
 * at a time (independent chains), reading the operands in place through strides. Every entry adds the same
 * products in the same order with the same rounding (float32 after each addition, as `c[j] += a * b` on a
 * Float32Array does), so the results are bit-identical to the blocked path.
 */
function matmulSmall(
  a: NumArray, b: NumArray, c: Float32Array, m: number, k: number, n: number,
  transposeA: boolean, transposeB: boolean, aOff: number, bOff: number, cOff: number, accumulate: boolean,
): void {
  const fround = Math.fround;
  // a(i, p) = a[aOff + i * aRow + p * aStep]; b(p, j) = b[bOff + p * bStep + j * bCol].
  const aRow = transposeA ? 1 : k, aStep = transposeA ? m : 1;
  const bCol = transposeB ? k : 1, bStep = transposeB ? 1 : n;
  let i = 0;
  // Four rows at a time: one load of b feeds four chains.
  for (; i + 4 <= m; i += 4) {
    const a0 = aOff + i * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
    const c0 = cOff + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    for (let j = 0; j < n; j++) {
      let s0 = accumulate ? c[c0 + j]! : 0, s1 = accumulate ? c[c1 + j]! : 0, s2 = accumulate ? c[c2 + j]! : 0, s3 = accumulate ? c[c3 + j]! : 0;
      for (let p = 0, ap = 0, bp = bOff + j * bCol; p < k; p++, ap += aStep, bp += bStep) {
        const bv = b[bp]!;
        s0 = fround(s0 + a[a0 + ap]! * bv);
        s1 = fround(s1 + a[a1 + ap]! * bv);
        s2 = fround(s2 + a[a2 + ap]! * bv);
        s3 = fround(s3 + a[a3 + ap]! * bv);
      }
      c[c0 + j] = s0; c[c1 + j] = s1; c[c2 + j] = s2; c[c3 + j] = s3;
    }
  }
  // The remaining rows, four columns at a time: one load of a feeds four chains.
  for (; i < m; i++) {
    const ai = aOff + i * aRow, ci = cOff + i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      let s0 = accumulate ? c[ci + j]! : 0, s1 = accumulate ? c[ci + j + 1]! : 0, s2 = accumulate ? c[ci + j + 2]! : 0, s3 = accumulate ? c[ci + j + 3]! : 0;
      for (let p = 0, ap = ai, bp = bOff + j * bCol; p < k; p++, ap += aStep, bp += bStep) {
        const x = a[ap]!;
        s0 = fround(s0 + x * b[bp]!);
        s1 = fround(s1 + x * b[bp + bCol]!);
        s2 = fround(s2 + x * b[bp + 2 * bCol]!);
        s3 = fround(s3 + x * b[bp + 3 * bCol]!);
      }
      c[ci + j] = s0; c[ci + j + 1] = s1; c[ci + j + 2] = s2; c[ci + j + 3] = s3;
    }
    for (; j < n; j++) {
      let s = accumulate ? c[ci + j]! : 0;
      for (let p = 0, ap = ai, bp = bOff + j * bCol; p < k; p++, ap += aStep, bp += bStep) s = fround(s + a[ap]! * b[bp]!);
      c[ci + j] = s;
    }
  }
}

function matmulNN(a: NumArray, b: NumArray, c: NumArray, m: number, k: number, n: number, aOff: number, bOff: number, cOff: number): void {
  for (let j0 = 0; j0 < n; j0 += BLOCK_N) {
    const j1 = Math.min(j0 + BLOCK_N, n);
    for (let p0 = 0; p0 < k; p0 += BLOCK_K) {
      const p1 = Math.min(p0 + BLOCK_K, k);
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const c0 = cOff + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        const a0 = aOff + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
        for (let p = p0; p < p1; p++) {
          const x0 = a[a0 + p]!, x1 = a[a1 + p]!, x2 = a[a2 + p]!, x3 = a[a3 + p]!;
          const bRow = bOff + p * n;
          for (let j = j0; j < j1; j++) {
            const bv = b[bRow + j]!;
            c[c0 + j]! += x0 * bv;
            c[c1 + j]! += x1 * bv;
            c[c2 + j]! += x2 * bv;
            c[c3 + j]! += x3 * bv;
          }
        }
      }
      for (; i < m; i++) {
        const c0 = cOff + i * n, a0 = aOff + i * k;
        for (let p = p0; p < p1; p++) {
          const x0 = a[a0 + p]!;
          const bRow = bOff + p * n;
          for (let j = j0; j < j1; j++) c[c0 + j]! += x0 * b[bRow + j]!;
        }
      }
    }
  }
}

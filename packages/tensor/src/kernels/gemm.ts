/**
 * The strided GEMM shared by the convolution kernels (not a backend kernel itself: the conv kernels call it
 * directly). Operands are read through (row, column) strides, so transposed products and products on column
 * blocks of a matrix (one group of a grouped convolution) need no copies.
 */

/** GEMM blocking: panels of B of at most KC x NC stay in cache while all rows of A stream past. */
const KC = 256;
const NC = 64;

/**
 * C (+)= A · B with A [m, k], B [k, n], C [m, n], each read through strides:
 *   A(i, p) = a[aOff + i*aRow + p*aCol],  B(p, j) = b[bOff + p*bRow + j*bCol],  C(i, j) = c[cOff + i*cRow + j].
 * Overwrites C unless `accumulate`. Sums run in f64 registers (V8 computes in doubles anyway).
 */
export function gemm(
  m: number, n: number, k: number,
  a: Float32Array, aOff: number, aRow: number, aCol: number,
  b: Float32Array, bOff: number, bRow: number, bCol: number,
  c: Float32Array, cOff: number, cRow: number, accumulate: boolean,
): void {
  if (k === 0) {
    if (!accumulate) for (let i = 0; i < m; i++) c.fill(0, cOff + i * cRow, cOff + i * cRow + n);
    return;
  }
  // Split k into equal blocks of at most KC (288 -> 144 + 144, not 256 + 32).
  const kBlocks = Math.ceil(k / KC);
  const kc = Math.ceil(k / kBlocks);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nb = Math.min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += kc) {
      const kb = Math.min(kc, k - p0);
      gemmBlock(m, nb, kb, a, aOff + p0 * aCol, aRow, aCol, b, bOff + p0 * bRow + j0 * bCol, bRow, bCol,
        c, cOff + j0, cRow, accumulate || p0 > 0);
    }
  }
}

function gemmBlock(
  m: number, n: number, k: number,
  a: Float32Array, aOff: number, aRow: number, aCol: number,
  b: Float32Array, bOff: number, bRow: number, bCol: number,
  c: Float32Array, cOff: number, cRow: number, acc: boolean,
): void {
  const aRow2 = 2 * aRow, aRow3 = 3 * aRow, bCol2 = 2 * bCol, bCol3 = 3 * bCol;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const ai = aOff + i * aRow;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let pa = ai, pb = bOff + j * bCol;
      for (let p = 0; p < k; p++) {
        const a0 = a[pa]!, a1 = a[pa + aRow]!, a2 = a[pa + aRow2]!, a3 = a[pa + aRow3]!;
        const b0 = b[pb]!, b1 = b[pb + bCol]!, b2 = b[pb + bCol2]!, b3 = b[pb + bCol3]!;
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        pa += aCol; pb += bRow;
      }
      const o0 = cOff + i * cRow + j, o1 = o0 + cRow, o2 = o1 + cRow, o3 = o2 + cRow;
      if (acc) {
        c[o0]! += c00; c[o0 + 1]! += c01; c[o0 + 2]! += c02; c[o0 + 3]! += c03;
        c[o1]! += c10; c[o1 + 1]! += c11; c[o1 + 2]! += c12; c[o1 + 3]! += c13;
        c[o2]! += c20; c[o2 + 1]! += c21; c[o2 + 2]! += c22; c[o2 + 3]! += c23;
        c[o3]! += c30; c[o3 + 1]! += c31; c[o3 + 2]! += c32; c[o3 + 3]! += c33;
      } else {
        c[o0] = c00; c[o0 + 1] = c01; c[o0 + 2] = c02; c[o0 + 3] = c03;
        c[o1] = c10; c[o1 + 1] = c11; c[o1 + 2] = c12; c[o1 + 3] = c13;
        c[o2] = c20; c[o2 + 1] = c21; c[o2 + 2] = c22; c[o2 + 3] = c23;
        c[o3] = c30; c[o3 + 1] = c31; c[o3 + 2] = c32; c[o3 + 3] = c33;
      }
    }
    // Leftover columns: 4 x 1 tiles.
    for (; j < n; j++) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      let pa = ai, pb = bOff + j * bCol;
      for (let p = 0; p < k; p++) {
        const bv = b[pb]!;
        c0 += a[pa]! * bv; c1 += a[pa + aRow]! * bv; c2 += a[pa + aRow2]! * bv; c3 += a[pa + aRow3]! * bv;
        pa += aCol; pb += bRow;
      }
      const o0 = cOff + i * cRow + j;
      if (acc) {
        c[o0]! += c0; c[o0 + cRow]! += c1; c[o0 + 2 * cRow]! += c2; c[o0 + 3 * cRow]! += c3;
      } else {
        c[o0] = c0; c[o0 + cRow] = c1; c[o0 + 2 * cRow] = c2; c[o0 + 3 * cRow] = c3;
      }
    }
  }
  // Leftover rows: 1 x 4 tiles, then single elements.
  for (; i < m; i++) {
    const ai = aOff + i * aRow;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      let pa = ai, pb = bOff + j * bCol;
      for (let p = 0; p < k; p++) {
        const av = a[pa]!;
        c0 += av * b[pb]!; c1 += av * b[pb + bCol]!; c2 += av * b[pb + bCol2]!; c3 += av * b[pb + bCol3]!;
        pa += aCol; pb += bRow;
      }
      const o = cOff + i * cRow + j;
      if (acc) {
        c[o]! += c0; c[o + 1]! += c1; c[o + 2]! += c2; c[o + 3]! += c3;
      } else {
        c[o] = c0; c[o + 1] = c1; c[o + 2] = c2; c[o + 3] = c3;
      }
    }
    for (; j < n; j++) {
      let s = 0;
      let pa = ai, pb = bOff + j * bCol;
      for (let p = 0; p < k; p++) {
        s += a[pa]! * b[pb]!;
        pa += aCol; pb += bRow;
      }
      const o = cOff + i * cRow + j;
      if (acc) c[o]! += s;
      else c[o] = s;
    }
  }
}

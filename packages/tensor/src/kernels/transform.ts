/** Data movement kernels: transpose, slice, pad, gather, tile, concat. */
import type { Shape } from '../shape';
import { stridesOf } from '../shape';
import type { NumArray } from './elementwise';

/** out = x.transpose(perm); out's shape is shape[perm[i]]. */
export function transpose(x: NumArray, shape: Shape, perm: readonly number[], out: NumArray): void {
  const rank = shape.length;
  if (rank === 2 && perm[0] === 1) {
    const rows = shape[0]!, cols = shape[1]!;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c]!;
    return;
  }
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  const srcStride = perm.map((p) => inStrides[p]!);
  stridedCopy(x, 0, outShape, srcStride, out, 0);
}

/**
 * Walks `outShape` in row-major order, reading x at `offset + sum(idx * srcStrides)`.
 * Used by transpose and slice; the innermost axis is a tight loop.
 */
export function stridedCopy(x: NumArray, offset: number, outShape: Shape, srcStrides: readonly number[], out: NumArray, outOffset: number): void {
  const rank = outShape.length;
  let n = 1;
  for (const d of outShape) n *= d;
  if (n === 0) return;
  if (rank === 0) { out[outOffset] = x[offset]!; return; }
  const idx = new Array<number>(rank).fill(0);
  const last = rank - 1;
  const inner = outShape[last]!, innerStride = srcStrides[last]!;
  let src = offset;
  for (let o = 0; o < n; o += inner) {
    if (innerStride === 1) {
      for (let j = 0; j < inner; j++) out[outOffset + o + j] = x[src + j]!;
    } else {
      for (let j = 0; j < inner; j++) out[outOffset + o + j] = x[src + j * innerStride]!;
    }
    for (let ax = last - 1; ax >= 0; ax--) {
      idx[ax]!++;
      src += srcStrides[ax]!;
      if (idx[ax]! < outShape[ax]!) break;
      src -= srcStrides[ax]! * outShape[ax]!;
      idx[ax] = 0;
    }
  }
}

/** out = x[begin : begin + size] along every axis. */
export function slice(x: NumArray, shape: Shape, begin: readonly number[], size: readonly number[], out: NumArray): void {
  const strides = stridesOf(shape);
  let offset = 0;
  for (let i = 0; i < shape.length; i++) offset += begin[i]! * strides[i]!;
  stridedCopy(x, offset, size, strides, out, 0);
}

/** Adds `dy` (shape `size`) into `dx` (shape `shape`) at `begin`: the backward of slice. */
export function sliceGradAccumulate(dy: NumArray, shape: Shape, begin: readonly number[], size: readonly number[], dx: NumArray): void {
  writeBlock(dy, shape, begin, size, dx, true);
}

/** Writes `x` (shape `size`) into `out` (shape `shape`) at `begin`, overwriting: the forward of pad. */
export function sliceAssign(x: NumArray, shape: Shape, begin: readonly number[], size: readonly number[], out: NumArray): void {
  writeBlock(x, shape, begin, size, out, false);
}

function writeBlock(src: NumArray, shape: Shape, begin: readonly number[], size: readonly number[], dst: NumArray, add: boolean): void {
  const strides = stridesOf(shape);
  const rank = shape.length;
  let n = 1;
  for (const d of size) n *= d;
  if (n === 0) return;
  if (rank === 0) { dst[0] = add ? dst[0]! + src[0]! : src[0]!; return; }
  let base = 0;
  for (let i = 0; i < rank; i++) base += begin[i]! * strides[i]!;
  const idx = new Array<number>(rank).fill(0);
  const last = rank - 1;
  const inner = size[last]!;
  let d = base;
  for (let o = 0; o < n; o += inner) {
    if (add) for (let j = 0; j < inner; j++) dst[d + j]! += src[o + j]!;
    else for (let j = 0; j < inner; j++) dst[d + j] = src[o + j]!;
    for (let ax = last - 1; ax >= 0; ax--) {
      idx[ax]!++;
      d += strides[ax]!;
      if (idx[ax]! < size[ax]!) break;
      d -= strides[ax]! * size[ax]!;
      idx[ax] = 0;
    }
  }
}

/** Gathers slices along `axis`: x is [outer, axisLen, inner], out is [outer, indices.length, inner]. */
export function gather(x: NumArray, outer: number, axisLen: number, inner: number, indices: NumArray, out: NumArray): void {
  const count = indices.length;
  for (let o = 0; o < outer; o++) {
    for (let t = 0; t < count; t++) {
      const src = (o * axisLen + indices[t]!) * inner;
      const dst = (o * count + t) * inner;
      for (let j = 0; j < inner; j++) out[dst + j] = x[src + j]!;
    }
  }
}

/** Scatter-add, the backward of gather: dx[indices[t]] += dy[t]. */
export function gatherGrad(dy: NumArray, outer: number, axisLen: number, inner: number, indices: NumArray, dx: NumArray): void {
  const count = indices.length;
  for (let o = 0; o < outer; o++) {
    for (let t = 0; t < count; t++) {
      const dst = (o * axisLen + indices[t]!) * inner;
      const src = (o * count + t) * inner;
      for (let j = 0; j < inner; j++) dx[dst + j]! += dy[src + j]!;
    }
  }
}

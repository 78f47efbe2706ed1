/**
 * Image resizing (NHWC): bilinear and nearest-neighbour, with TensorFlow's coordinate conventions.
 * For output row r, the source coordinate is
 *   halfPixelCenters: (r + 0.5) * scale - 0.5 (bilinear) or (r + 0.5) * scale (nearest), scale = in / out
 *                     (TensorFlow 2's tf.image.resize, so Keras 3's Resizing and UpSampling2D);
 *   alignCorners:     r * (in - 1) / (out - 1), nearest rounding to the closest row;
 *   neither:          r * in / out (TensorFlow 1's legacy mode, tfjs' default).
 * Coordinates are computed in float64 like tfjs' CPU kernels. Bilinear reads the two neighbouring rows and
 * columns (clamped to the image) and interpolates; the gradients scatter dy back with the same weights.
 */

export interface ResizeGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** Per output index along one axis: the two source indices and the weight of the second. */
interface AxisTaps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float64Array;
}

function ratio(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
}

function bilinearTaps(inSize: number, outSize: number, g: ResizeGeometry): AxisTaps {
  const scale = ratio(inSize, outSize, g.alignCorners);
  const lo = new Int32Array(outSize), hi = new Int32Array(outSize), frac = new Float64Array(outSize);
  for (let r = 0; r < outSize; r++) {
    const src = g.halfPixelCenters ? scale * (r + 0.5) - 0.5 : scale * r;
    const f = Math.max(0, Math.floor(src));
    lo[r] = Math.min(f, inSize - 1);
    hi[r] = Math.min(inSize - 1, Math.ceil(src));
    frac[r] = src - f;
  }
  return { lo, hi, frac };
}

function nearestTaps(inSize: number, outSize: number, g: ResizeGeometry): Int32Array {
  const scale = ratio(inSize, outSize, g.alignCorners);
  const idx = new Int32Array(outSize);
  for (let r = 0; r < outSize; r++) {
    const src = g.halfPixelCenters ? scale * (r + 0.5) : scale * r;
    const i = Math.min(inSize - 1, g.alignCorners ? Math.round(src) : Math.floor(src));
    idx[r] = Math.max(0, i);
  }
  return idx;
}

/** y = resizeBilinear(x): x [batch, inH, inW, C], y [batch, outH, outW, C]. */
export function resizeBilinear(x: Float32Array, y: Float32Array, g: ResizeGeometry): void {
  const { batch, inHeight, inWidth, channels: c, outHeight, outWidth } = g;
  const rows = bilinearTaps(inHeight, outHeight, g), cols = bilinearTaps(inWidth, outWidth, g);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outHeight; r++) {
      const top = (b * inHeight + rows.lo[r]!) * inWidth, bottom = (b * inHeight + rows.hi[r]!) * inWidth;
      const rf = rows.frac[r]!;
      for (let q = 0; q < outWidth; q++, o += c) {
        const l = cols.lo[q]! * c, rt = cols.hi[q]! * c, cf = cols.frac[q]!;
        const tl = top * c + l, tr = top * c + rt, bl = bottom * c + l, br = bottom * c + rt;
        for (let ch = 0; ch < c; ch++) {
          const t = x[tl + ch]! + (x[tr + ch]! - x[tl + ch]!) * cf;
          const bo = x[bl + ch]! + (x[br + ch]! - x[bl + ch]!) * cf;
          y[o + ch] = t + (bo - t) * rf;
        }
      }
    }
  }
}

/** dx = dL/dx of resizeBilinear given dy (overwrites dx). */
export function resizeBilinearGrad(dy: Float32Array, dx: Float32Array, g: ResizeGeometry): void {
  const { batch, inHeight, inWidth, channels: c, outHeight, outWidth } = g;
  const rows = bilinearTaps(inHeight, outHeight, g), cols = bilinearTaps(inWidth, outWidth, g);
  dx.fill(0);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outHeight; r++) {
      const top = (b * inHeight + rows.lo[r]!) * inWidth, bottom = (b * inHeight + rows.hi[r]!) * inWidth;
      const rf = rows.frac[r]!;
      for (let q = 0; q < outWidth; q++, o += c) {
        const l = cols.lo[q]! * c, rt = cols.hi[q]! * c, cf = cols.frac[q]!;
        const tl = top * c + l, tr = top * c + rt, bl = bottom * c + l, br = bottom * c + rt;
        const wtl = (1 - rf) * (1 - cf), wtr = (1 - rf) * cf, wbl = rf * (1 - cf), wbr = rf * cf;
        for (let ch = 0; ch < c; ch++) {
          const d = dy[o + ch]!;
          dx[tl + ch]! += d * wtl;
          dx[tr + ch]! += d * wtr;
          dx[bl + ch]! += d * wbl;
          dx[br + ch]! += d * wbr;
        }
      }
    }
  }
}

/** y = resizeNearestNeighbor(x). */
export function resizeNearest(x: Float32Array, y: Float32Array, g: ResizeGeometry): void {
  const { batch, inHeight, inWidth, channels: c, outHeight, outWidth } = g;
  const rows = nearestTaps(inHeight, outHeight, g), cols = nearestTaps(inWidth, outWidth, g);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outHeight; r++) {
      const rowBase = (b * inHeight + rows[r]!) * inWidth;
      for (let q = 0; q < outWidth; q++, o += c) {
        const s = (rowBase + cols[q]!) * c;
        for (let ch = 0; ch < c; ch++) y[o + ch] = x[s + ch]!;
      }
    }
  }
}

/** dx = dL/dx of resizeNearest: each output's gradient goes to the pixel it copied (overwrites dx). */
export function resizeNearestGrad(dy: Float32Array, dx: Float32Array, g: ResizeGeometry): void {
  const { batch, inHeight, inWidth, channels: c, outHeight, outWidth } = g;
  const rows = nearestTaps(inHeight, outHeight, g), cols = nearestTaps(inWidth, outWidth, g);
  dx.fill(0);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outHeight; r++) {
      const rowBase = (b * inHeight + rows[r]!) * inWidth;
      for (let q = 0; q < outWidth; q++, o += c) {
        const s = (rowBase + cols[q]!) * c;
        for (let ch = 0; ch < c; ch++) dx[s + ch]! += dy[o + ch]!;
      }
    }
  }
}

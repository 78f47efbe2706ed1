/**
 * 3-D max and average pooling (NDHWC). As in the 2-D kernels (`conv.ts`), windows are clipped to the input,
 * so padding never wins a max and 'same' average pooling divides by the number of real elements in the window
 * (TensorFlow's rule). The max pooling gradient is the scatter `maxPool2dGradArgmax` over the winners that
 * `maxPool3d` records.
 */

export interface Pool3dGeometry {
  batch: number;
  inDepth: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outDepth: number;
  outHeight: number;
  outWidth: number;
  filterDepth: number;
  filterHeight: number;
  filterWidth: number;
  strideDepth: number;
  strideHeight: number;
  strideWidth: number;
  padFront: number;
  padTop: number;
  padLeft: number;
}

let poolSum = new Float64Array(0);

/**
 * Calls `visit(o, s, first, last, count)` for each output pixel o (offset of its channels) and each input pixel
 * s of its window (offset of its channels), in row-major window order; `first` / `last` mark the window's first
 * and last pixel and `count` is the number of input pixels in the window. A window holding only padding (which
 * op-resolved geometry never produces) is visited once with s = -1.
 */
function forEachWindow(g: Pool3dGeometry, visit: (o: number, s: number, first: boolean, last: boolean, count: number) => void): void {
  const { batch, inDepth, inHeight, inWidth, channels: c, outDepth, outHeight, outWidth } = g;
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oz = 0; oz < outDepth; oz++) {
      const z0 = oz * g.strideDepth - g.padFront;
      const zs = Math.max(z0, 0), ze = Math.min(z0 + g.filterDepth, inDepth);
      for (let oy = 0; oy < outHeight; oy++) {
        const y0 = oy * g.strideHeight - g.padTop;
        const ys = Math.max(y0, 0), ye = Math.min(y0 + g.filterHeight, inHeight);
        for (let ox = 0; ox < outWidth; ox++, o += c) {
          const x0 = ox * g.strideWidth - g.padLeft;
          const xs = Math.max(x0, 0), xe = Math.min(x0 + g.filterWidth, inWidth);
          const count = Math.max(ze - zs, 0) * Math.max(ye - ys, 0) * Math.max(xe - xs, 0);
          let first = true;
          for (let iz = zs; iz < ze; iz++) {
            for (let iy = ys; iy < ye; iy++) {
              for (let ix = xs; ix < xe; ix++) {
                const last = iz === ze - 1 && iy === ye - 1 && ix === xe - 1;
                visit(o, (((b * inDepth + iz) * inHeight + iy) * inWidth + ix) * c, first, last, count);
                first = false;
              }
            }
          }
          if (first) visit(o, -1, true, true, 0);
        }
      }
    }
  }
}

/**
 * y = maxPool3d(x); when `arg` is given it also records each output's winner (flat index into x: the first
 * maximum in window order, or the first NaN), for `maxPool2dGradArgmax`.
 */
export function maxPool3d(x: Float32Array, y: Float32Array, arg: Int32Array | null, g: Pool3dGeometry): void {
  const c = g.channels;
  forEachWindow(g, (o, s, first) => {
    if (s < 0) {
      y.fill(-Infinity, o, o + c);
      if (arg) arg.fill(-1, o, o + c);
    } else if (first) {
      for (let ch = 0; ch < c; ch++) y[o + ch] = x[s + ch]!;
      if (arg) for (let ch = 0; ch < c; ch++) arg[o + ch] = s + ch;
    } else {
      for (let ch = 0; ch < c; ch++) {
        const v = x[s + ch]!, m = y[o + ch]!;
        // Strictly greater keeps the first maximum; a NaN wins once, then nothing beats it.
        if (v > m || (v !== v && m === m)) {
          y[o + ch] = v;
          if (arg) arg[o + ch] = s + ch;
        }
      }
    }
  });
}

/** y = avgPool3d(x), each window divided by the number of input (non-padding) elements it covers. */
export function avgPool3d(x: Float32Array, y: Float32Array, g: Pool3dGeometry): void {
  const c = g.channels;
  if (poolSum.length < c) poolSum = new Float64Array(c);
  const sum = poolSum;
  forEachWindow(g, (o, s, first, last, count) => {
    if (first) sum.fill(0, 0, c);
    if (s >= 0) for (let ch = 0; ch < c; ch++) sum[ch]! += x[s + ch]!;
    if (last) {
      const scale = count > 0 ? 1 / count : NaN;
      for (let ch = 0; ch < c; ch++) y[o + ch] = sum[ch]! * scale;
    }
  });
}

/** dx = dL/dx of avgPool3d: each output's gradient spread evenly over its window's input elements. */
export function avgPool3dGrad(dy: Float32Array, dx: Float32Array, g: Pool3dGeometry): void {
  const c = g.channels;
  dx.fill(0);
  forEachWindow(g, (o, s, _first, _last, count) => {
    if (s < 0) return;
    const scale = 1 / count;
    for (let ch = 0; ch < c; ch++) dx[s + ch]! += dy[o + ch]! * scale;
  });
}

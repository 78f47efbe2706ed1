/**
 * Convolution and pooling kernels (NHWC). Plain loops over Float32Arrays that write into a caller-given
 * `out`; they know nothing of Tensor or autograd. Shapes and padding arrive already resolved in a geometry
 * object (the op computes TensorFlow's 'same'/'valid' padding), so a WebAssembly backend only has to
 * implement these functions. `conv2dBiasActivation` and its backprop are the Conv2D layer's path: bias and
 * relu applied per chunk, so neither the pre-activation nor its gradient exists as a full-size array; the
 * plain conv2d kernels are the same code without bias and activation.
 *
 * conv2d is im2col + GEMM. The batch is processed in chunks of output pixels so the im2col buffer stays
 * around 256 KB (it fits in L2 next to the filter), whatever the batch size. With M output pixels,
 * K = filterHeight * filterWidth * inChannels and the filter viewed as a [K, outChannels] matrix W:
 *
 *   forward   Y[M, outC]  = cols[M, K] · W
 *   dInput    dx          = col2im(dY[M, outC] · Wᵀ)
 *   dFilter   dW[K, outC] = colsᵀ · dY
 *
 * All three products go through one strided GEMM (`gemm` below) that reads its operands through
 * (row, column) strides, so the transposed products need no transposed copies: Wᵀ is W read with swapped
 * strides, colsᵀ is cols read column-wise. Its 4x4 register tile does 16 multiply-adds per 8 loads, which
 * measured about 2x faster than the i-k-j saxpy loop of `matmul` on conv-shaped products (plain JS, f64
 * accumulators). A 1x1 filter with stride 1 and no padding skips im2col: the input already is `cols`.
 *
 * A backend with a faster matmul (WebAssembly SIMD) gets fast convolutions by passing it as the optional
 * last argument: `conv2d: (x, f, y, g) => cpuBackend.conv2d(x, f, y, g, wasmMatmul)`. The products are then
 * issued as `matmul` calls (with transposeA/transposeB, offsets and accumulate) on the same im2col chunks.
 */
import type { matmul } from './matmul';
import { gemm } from './gemm';

/** Everything a conv2d kernel needs to know about shapes, resolved by the op. */
export interface Conv2dGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  /** Zero rows above the input / columns left of it (the rest of the padding is implied by the output size). */
  padTop: number;
  padLeft: number;
}

/** Pooling geometry (channels pass through unchanged). Padded positions never count: not in max, not in mean. */
export interface Pool2dGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/** Target im2col chunk size in floats (256 KB: fits in L2 together with a typical filter). */
const CHUNK_FLOATS = 1 << 16;

/** The `matmul` kernel's signature: what a backend passes to route the conv products through its own GEMM. */
export type MatmulKernel = typeof matmul;

let colsScratch = new Float32Array(0);
// The fused backward holds three chunk buffers at once (im2col rows, their gradient, the masked dy rows).
let dcolsScratch = new Float32Array(0);
let dzScratch = new Float32Array(0);
let biasAcc = new Float64Array(0);

function scratch(size: number): Float32Array {
  if (colsScratch.length < size) colsScratch = new Float32Array(size);
  return colsScratch;
}

/** Output pixels per chunk: a multiple of 4 (the GEMM tile height), at least 4, at most all of them. */
function chunkRows(k: number, rows: number): number {
  const r = Math.max(4, Math.floor(CHUNK_FLOATS / Math.max(k, 1)) & ~3);
  return Math.min(r, rows);
}

function isPointwise(g: Conv2dGeometry): boolean {
  return g.filterHeight === 1 && g.filterWidth === 1 && g.strideHeight === 1 && g.strideWidth === 1 &&
    g.padTop === 0 && g.padLeft === 0 && g.outHeight === g.inHeight && g.outWidth === g.inWidth;
}

/** y = conv2d(x, filter): x [batch, inH, inW, inC], filter [fh, fw, inC, outC], y [batch, outH, outW, outC]. */
export function conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, g: Conv2dGeometry, mm?: MatmulKernel): void {
  conv2dBiasActivation(x, filter, null, 'linear', y, g, mm);
}

const NONE = new Float32Array(0);

/** dx = dL/dx of conv2d given dy = dL/dy (overwrites dx). */
export function conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, g: Conv2dGeometry, mm?: MatmulKernel): void {
  conv2dBiasActivationBackprop(NONE, filter, NONE, 'linear', dy, dx, null, null, g, mm);
}

/** dFilter = dL/dfilter of conv2d given dy = dL/dy (overwrites dFilter). */
export function conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dFilter: Float32Array, g: Conv2dGeometry, mm?: MatmulKernel): void {
  conv2dBiasActivationBackprop(x, NONE, NONE, 'linear', dy, null, dFilter, null, g, mm);
}

/** The activations `conv2dBiasActivation` applies itself; any other runs as its own op after a 'linear' one. */
export type ConvActivation = 'linear' | 'relu';

/**
 * y = activation(conv2d(x, filter) + bias), bias [outC] or null. The bias and activation are applied to each
 * chunk's output rows right after its product, while they are still in cache, and no separate pre-activation
 * array exists: for W2's first layer that is two fewer 11 MB arrays per step, and their gradients.
 * Same values as conv2d, then `addBiasRows`, then `unary('relu')`.
 */
export function conv2dBiasActivation(
  x: Float32Array, filter: Float32Array, bias: Float32Array | null, activation: ConvActivation,
  y: Float32Array, g: Conv2dGeometry, mm?: MatmulKernel,
): void {
  const k = g.filterHeight * g.filterWidth * g.inChannels;
  const n = g.outChannels;
  const rows = g.batch * g.outHeight * g.outWidth;
  if (rows === 0 || n === 0) return;
  const product = (a: Float32Array, m: number, yOff: number) => {
    if (mm) mm(a, filter, y, m, k, n, false, false, 0, 0, yOff, false);
    else gemm(m, n, k, a, 0, k, 1, filter, 0, n, 1, y, yOff, n, false);
  };
  if (isPointwise(g)) {
    product(x, rows, 0);
    biasActivationRows(y, 0, rows * n, bias, n, activation);
    return;
  }
  const chunk = chunkRows(k, rows);
  const cols = scratch(chunk * k);
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const r1 = Math.min(r0 + chunk, rows);
    im2col(x, g, r0, r1, cols);
    product(cols, r1 - r0, r0 * n);
    biasActivationRows(y, r0 * n, r1 * n, bias, n, activation);
  }
}

/** y[from, to) += bias (cycling over n channels), then the activation in place. */
function biasActivationRows(y: Float32Array, from: number, to: number, bias: Float32Array | null, n: number, activation: ConvActivation): void {
  if (bias) for (let o = from; o < to; o += n) for (let j = 0; j < n; j++) y[o + j]! += bias[j]!;
  if (activation === 'relu') {
    // The bit trick of `unary('relu')`: keep y unless y <= 0, so NaN stays NaN and -0 and negatives become +0.
    const yi = new Int32Array(y.buffer, y.byteOffset, y.length);
    for (let i = from; i < to; i++) yi[i] = yi[i]! & -+!(y[i]! <= 0);
  }
}

/**
 * The backward pass of `conv2dBiasActivation`, given its output y and dy = dL/dy: writes dx, dFilter and dBias
 * (each skipped when null). It works through the batch in the same row chunks as the forward pass: the
 * activation's gradient (relu: dy where y > 0) is applied to one chunk of dy at a time in a small scratch
 * buffer and fed to both products, so no full-size gradient of the pre-activation ever exists. The same
 * values as the unfused relu gradient, bias reduction, `conv2dBackpropFilter` and `conv2dBackpropInput`.
 */
export function conv2dBiasActivationBackprop(
  x: Float32Array, filter: Float32Array, y: Float32Array, activation: ConvActivation, dy: Float32Array,
  dx: Float32Array | null, dFilter: Float32Array | null, dBias: Float32Array | null, g: Conv2dGeometry, mm?: MatmulKernel,
): void {
  if (activation === 'linear') {
    // dz is dy itself: the products read it in place.
    convBackprop(x, filter, dx, dFilter, dBias, g, mm, null, (r0) => ({ dz: dy, offset: r0 * g.outChannels }));
    return;
  }
  convBackprop(x, filter, dx, dFilter, dBias, g, mm, 'dz', (r0, r1, dz) => {
    const n = g.outChannels, from = r0 * n, len = (r1 - r0) * n;
    // The select of `unaryGrad('relu')` on the bits: dy where y > 0, else +0 (y > 0 exactly where its input is).
    const di = new Int32Array(dy.buffer, dy.byteOffset + from * 4, len), oi = new Int32Array(dz!.buffer, dz!.byteOffset, len);
    for (let i = 0; i < len; i++) oi[i] = di[i]! & -+(y[from + i]! > 0);
    return { dz: dz!, offset: 0 };
  });
}

/**
 * The backward pass of maxPool(conv2dBiasActivation(x)) in one: `poolArg` holds each pool output's winner (a
 * flat index into the conv output, from `maxPool2dArgmax`), `poolY` the pool's output and `poolDy` its
 * gradient. Each chunk of conv output rows gets its gradient by scattering the pool gradients whose winner
 * lies in the chunk (through the relu: only where the pooled value, which is y at the winner, is > 0), so
 * neither the conv output's gradient nor the conv output itself is needed. Same values as
 * `maxPool2dGradArgmax`, then `conv2dBiasActivationBackprop`.
 */
export function conv2dBiasActivationMaxPoolBackprop(
  x: Float32Array, filter: Float32Array, activation: ConvActivation,
  poolArg: Int32Array, poolY: Float32Array, poolDy: Float32Array, pg: Pool2dGeometry,
  dx: Float32Array | null, dFilter: Float32Array | null, dBias: Float32Array | null, g: Conv2dGeometry, mm?: MatmulKernel,
): void {
  const n = g.outChannels, relu = activation === 'relu';
  const imageRows = g.outHeight * g.outWidth, poolRowLen = pg.outWidth * n;
  // Pool rows (batch * outHeight + oy) whose windows can reach image row iy of batch b, first and last.
  const firstPoolRow = (b: number, iy: number) => b * pg.outHeight + Math.max(0, Math.ceil((iy + pg.padTop - pg.filterHeight + 1) / pg.strideHeight));
  const lastPoolRow = (b: number, iy: number) => b * pg.outHeight + Math.min(pg.outHeight - 1, Math.floor((iy + pg.padTop) / pg.strideHeight));
  convBackprop(x, filter, dx, dFilter, dBias, g, mm, 'dz', (r0, r1, dz) => {
    const base = r0 * n, len = (r1 - r0) * n;
    dz!.fill(0, 0, len);
    const b0 = Math.floor(r0 / imageRows), b1 = Math.floor((r1 - 1) / imageRows);
    const iy0 = Math.floor((r0 - b0 * imageRows) / g.outWidth), iy1 = Math.floor((r1 - 1 - b1 * imageRows) / g.outWidth);
    const end = (lastPoolRow(b1, iy1) + 1) * poolRowLen;
    // In output order, as maxPool2dGradArgmax adds them, so overlapping windows sum the same way.
    for (let o = firstPoolRow(b0, iy0) * poolRowLen; o < end; o++) {
      const a = poolArg[o]! - base;
      if (a >= 0 && a < len && (!relu || poolY[o]! > 0)) dz![a]! += poolDy[o]!;
    }
    return { dz: dz!, offset: 0 };
  });
}

/**
 * The shared body of the conv backward passes: for each chunk of output rows, `chunkDz` supplies dL/dz for
 * those rows (z = the pre-activation), read at `offset` (in `scratch`, a chunk-sized buffer, when one was
 * asked for), and this adds it into dBias (float64, rows in order, as `reduce` sums), dFilter (colsᵀ · dz)
 * and dx (col2im of dz · Wᵀ).
 */
function convBackprop(
  x: Float32Array, filter: Float32Array, dx: Float32Array | null, dFilter: Float32Array | null, dBias: Float32Array | null,
  g: Conv2dGeometry, mm: MatmulKernel | undefined, scratchFor: 'dz' | null,
  chunkDz: (r0: number, r1: number, scratch: Float32Array | null) => { dz: Float32Array; offset: number },
): void {
  const k = g.filterHeight * g.filterWidth * g.inChannels;
  const n = g.outChannels;
  const rows = g.batch * g.outHeight * g.outWidth;
  const pointwise = isPointwise(g);
  if (dFilter) dFilter.fill(0);
  if (dx) dx.fill(0);
  if (dBias) {
    if (biasAcc.length < n) biasAcc = new Float64Array(n);
    biasAcc.fill(0, 0, n);
  }
  if (rows > 0 && n > 0) {
    const chunk = chunkRows(k, rows);
    const dzScratch = scratchFor ? grow('dz', chunk * n) : null;
    const cols = pointwise || !dFilter ? x : scratch(chunk * k);
    const dcols = pointwise || !dx ? null : grow('dcols', chunk * k);
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const r1 = Math.min(r0 + chunk, rows), m = r1 - r0;
      const { dz, offset: dzOff } = chunkDz(r0, r1, dzScratch);
      if (dBias) {
        const acc = biasAcc;
        for (let o = dzOff, end = dzOff + m * n; o < end; o += n) for (let j = 0; j < n; j++) acc[j]! += dz[o + j]!;
      }
      if (dFilter) {
        // dW[k, n] += colsᵀ · dz
        let aOff = 0;
        if (pointwise) aOff = r0 * k;
        else im2col(x, g, r0, r1, cols);
        if (mm) mm(cols, dz, dFilter, k, m, n, true, false, aOff, dzOff, 0, true);
        else gemm(k, n, m, cols, aOff, 1, k, dz, dzOff, n, 1, dFilter, 0, n, true);
      }
      if (dx) {
        // dcols[m, k] = dz · Wᵀ; for a pointwise filter the columns are dx's own rows.
        const c = dcols ?? dx, cOff = dcols ? 0 : r0 * k;
        if (mm) mm(dz, filter, c, m, n, k, false, true, dzOff, 0, cOff, false);
        else gemm(m, k, n, dz, dzOff, n, 1, filter, 0, 1, n, c, cOff, k, false);
        if (dcols) col2im(dcols, g, r0, r1, dx);
      }
    }
  }
  if (dBias) for (let j = 0; j < n; j++) dBias[j] = biasAcc[j]!;
}

function grow(which: 'dz' | 'dcols', size: number): Float32Array {
  if (which === 'dz') {
    if (dzScratch.length < size) dzScratch = new Float32Array(size);
    return dzScratch;
  }
  if (dcolsScratch.length < size) dcolsScratch = new Float32Array(size);
  return dcolsScratch;
}

/**
 * Writes rows [r0, r1) of the im2col matrix: row r is output pixel r (batch-major, then y, then x), laid out
 * [fh, fw, inC] like the filter, with zeros where the window reaches into the padding.
 */
function im2col(x: Float32Array, g: Conv2dGeometry, r0: number, r1: number, cols: Float32Array): void {
  const { inHeight, inWidth, inChannels: c, outHeight, outWidth, filterHeight, filterWidth } = g;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft } = g;
  const rowLen = filterWidth * c;
  let ox = r0 % outWidth;
  const t = (r0 - ox) / outWidth;
  let oy = t % outHeight;
  let b = (t - oy) / outHeight;
  let o = 0;
  for (let r = r0; r < r1; r++) {
    const iy0 = oy * strideHeight - padTop;
    const ix0 = ox * strideWidth - padLeft;
    const contiguous = dilationWidth === 1 && ix0 >= 0 && ix0 + filterWidth <= inWidth;
    for (let ky = 0; ky < filterHeight; ky++) {
      const iy = iy0 + ky * dilationHeight;
      if (iy < 0 || iy >= inHeight) {
        cols.fill(0, o, o + rowLen);
        o += rowLen;
        continue;
      }
      const rowBase = (b * inHeight + iy) * inWidth;
      if (contiguous) {
        // The whole filter row reads one contiguous run of the input: a memcpy when it is long enough to
        // repay the subarray view (measured 3 ns per float for the element loop at 96 floats).
        const s = (rowBase + ix0) * c;
        if (rowLen >= 32) {
          cols.set(x.subarray(s, s + rowLen), o);
          o += rowLen;
        } else {
          for (let i = 0; i < rowLen; i++) cols[o + i] = x[s + i]!;
          o += rowLen;
        }
        continue;
      }
      for (let kx = 0; kx < filterWidth; kx++) {
        const ix = ix0 + kx * dilationWidth;
        if (ix < 0 || ix >= inWidth) {
          cols.fill(0, o, o + c);
          o += c;
          continue;
        }
        let s = (rowBase + ix) * c;
        for (let i = 0; i < c; i++) cols[o++] = x[s++]!;
      }
    }
    if (++ox === outWidth) {
      ox = 0;
      if (++oy === outHeight) { oy = 0; b++; }
    }
  }
}

/** The adjoint of im2col: adds rows [r0, r1) of `dcols` back into dx (overlapping windows sum). */
function col2im(dcols: Float32Array, g: Conv2dGeometry, r0: number, r1: number, dx: Float32Array): void {
  const { inHeight, inWidth, inChannels: c, outHeight, outWidth, filterHeight, filterWidth } = g;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft } = g;
  const rowLen = filterWidth * c;
  let ox = r0 % outWidth;
  const t = (r0 - ox) / outWidth;
  let oy = t % outHeight;
  let b = (t - oy) / outHeight;
  let o = 0;
  for (let r = r0; r < r1; r++) {
    const iy0 = oy * strideHeight - padTop;
    const ix0 = ox * strideWidth - padLeft;
    const contiguous = dilationWidth === 1 && ix0 >= 0 && ix0 + filterWidth <= inWidth;
    for (let ky = 0; ky < filterHeight; ky++) {
      const iy = iy0 + ky * dilationHeight;
      if (iy < 0 || iy >= inHeight) { o += rowLen; continue; }
      const rowBase = (b * inHeight + iy) * inWidth;
      if (contiguous) {
        const s = (rowBase + ix0) * c;
        for (let i = 0; i < rowLen; i++) dx[s + i]! += dcols[o + i]!;
        o += rowLen;
        continue;
      }
      for (let kx = 0; kx < filterWidth; kx++) {
        const ix = ix0 + kx * dilationWidth;
        if (ix < 0 || ix >= inWidth) { o += c; continue; }
        let s = (rowBase + ix) * c;
        for (let i = 0; i < c; i++) dx[s++]! += dcols[o++]!;
      }
    }
    if (++ox === outWidth) {
      ox = 0;
      if (++oy === outHeight) { oy = 0; b++; }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Pooling. Windows are clipped to the input, so padding never takes part: a max over negative values stays
// negative, and 'same' average pooling divides by the number of real elements in the window (as TensorFlow).

let poolBest = new Float64Array(0);
let poolArg = new Int32Array(0);
let poolSum = new Float64Array(0);

/** y = maxPool(x). NaN propagates: once a window meets a NaN, its maximum is NaN. */
export function maxPool2d(x: Float32Array, y: Float32Array, g: Pool2dGeometry): void {
  const { batch, inHeight, inWidth, channels: c, outHeight, outWidth } = g;
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      const yStart = Math.max(y0, 0), yEnd = Math.min(y0 + g.filterHeight, inHeight);
      for (let ox = 0; ox < outWidth; ox++, o += c) {
        const x0 = ox * g.strideWidth - g.padLeft;
        const xStart = Math.max(x0, 0), xEnd = Math.min(x0 + g.filterWidth, inWidth);
        let first = true;
        for (let iy = yStart; iy < yEnd; iy++) {
          for (let ix = xStart; ix < xEnd; ix++) {
            const s = ((b * inHeight + iy) * inWidth + ix) * c;
            if (first) {
              for (let ch = 0; ch < c; ch++) y[o + ch] = x[s + ch]!;
              first = false;
            } else {
              for (let ch = 0; ch < c; ch++) {
                const v = x[s + ch]!;
                if (v > y[o + ch]! || v !== v) y[o + ch] = v;
              }
            }
          }
        }
        if (first) y.fill(-Infinity, o, o + c); // unreachable for op-resolved geometry (windows always overlap x)
      }
    }
  }
}

/**
 * dx = dL/dx of maxPool: each output's gradient goes to the first maximum of its window in row-major
 * window order (TensorFlow's MaxPoolGrad on ties), or to its first NaN. Overlapping windows add up.
 */
export function maxPool2dGrad(x: Float32Array, dy: Float32Array, dx: Float32Array, g: Pool2dGeometry): void {
  const { batch, inHeight, inWidth, channels: c, outHeight, outWidth } = g;
  if (poolBest.length < c) { poolBest = new Float64Array(c); poolArg = new Int32Array(c); }
  const best = poolBest, arg = poolArg;
  dx.fill(0);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      const yStart = Math.max(y0, 0), yEnd = Math.min(y0 + g.filterHeight, inHeight);
      for (let ox = 0; ox < outWidth; ox++, o += c) {
        const x0 = ox * g.strideWidth - g.padLeft;
        const xStart = Math.max(x0, 0), xEnd = Math.min(x0 + g.filterWidth, inWidth);
        if (yStart >= yEnd || xStart >= xEnd) continue;
        let first = true;
        for (let iy = yStart; iy < yEnd; iy++) {
          for (let ix = xStart; ix < xEnd; ix++) {
            const s = ((b * inHeight + iy) * inWidth + ix) * c;
            if (first) {
              for (let ch = 0; ch < c; ch++) { best[ch] = x[s + ch]!; arg[ch] = s + ch; }
              first = false;
            } else {
              for (let ch = 0; ch < c; ch++) {
                const v = x[s + ch]!, m = best[ch]!;
                // Strictly greater keeps the first maximum; a NaN wins once, then nothing beats it.
                if (v > m || (v !== v && m === m)) { best[ch] = v; arg[ch] = s + ch; }
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++) dx[arg[ch]!]! += dy[o + ch]!;
      }
    }
  }
}

/**
 * maxPool2d that also records, per output, the flat index in x of the input that won (the first maximum of
 * the window in row-major order, or its first NaN: the same choice `maxPool2dGrad` makes), so the backward
 * pass is a scatter (`maxPool2dGradArgmax`) instead of a second search through every window.
 */
export function maxPool2dArgmax(x: Float32Array, y: Float32Array, arg: Int32Array, g: Pool2dGeometry): void {
  const { batch, inHeight, inWidth, channels: c, outHeight, outWidth } = g;
  if (g.filterHeight === 2 && g.filterWidth === 2 && g.strideHeight === 2 && g.strideWidth === 2 && g.padTop === 0 && g.padLeft === 0 &&
    2 * outHeight <= inHeight && 2 * outWidth <= inWidth) {
    maxPool2x2Argmax(x, y, arg, g);
    return;
  }
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      const yStart = Math.max(y0, 0), yEnd = Math.min(y0 + g.filterHeight, inHeight);
      for (let ox = 0; ox < outWidth; ox++, o += c) {
        const x0 = ox * g.strideWidth - g.padLeft;
        const xStart = Math.max(x0, 0), xEnd = Math.min(x0 + g.filterWidth, inWidth);
        let first = true;
        for (let iy = yStart; iy < yEnd; iy++) {
          for (let ix = xStart; ix < xEnd; ix++) {
            const s = ((b * inHeight + iy) * inWidth + ix) * c;
            if (first) {
              for (let ch = 0; ch < c; ch++) { y[o + ch] = x[s + ch]!; arg[o + ch] = s + ch; }
              first = false;
            } else {
              for (let ch = 0; ch < c; ch++) {
                const v = x[s + ch]!, m = y[o + ch]!;
                if (v > m || (v !== v && m === m)) { y[o + ch] = v; arg[o + ch] = s + ch; }
              }
            }
          }
        }
        if (first) { y.fill(-Infinity, o, o + c); arg.fill(-1, o, o + c); }
      }
    }
  }
}

/**
 * Keras' default MaxPooling2D (2x2 windows, stride 2, no padding): the four candidates in registers, compared
 * in the same row-major order with the same rule (strictly greater, or the first NaN).
 */
function maxPool2x2Argmax(x: Float32Array, y: Float32Array, arg: Int32Array, g: Pool2dGeometry): void {
  const { batch, inHeight, inWidth, channels: c, outHeight, outWidth } = g;
  const rowStride = inWidth * c;
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, o += c) {
        const s0 = ((b * inHeight + 2 * oy) * inWidth + 2 * ox) * c;
        const s1 = s0 + c, s2 = s0 + rowStride, s3 = s2 + c;
        for (let ch = 0; ch < c; ch++) {
          let m = x[s0 + ch]!, a = s0 + ch;
          let v = x[s1 + ch]!;
          if (v > m || (v !== v && m === m)) { m = v; a = s1 + ch; }
          v = x[s2 + ch]!;
          if (v > m || (v !== v && m === m)) { m = v; a = s2 + ch; }
          v = x[s3 + ch]!;
          if (v > m || (v !== v && m === m)) { m = v; a = s3 + ch; }
          y[o + ch] = m;
          arg[o + ch] = a;
        }
      }
    }
  }
}

/** dx = dL/dx of maxPool from the winners `maxPool2dArgmax` recorded (overlapping windows add up, in output order). */
export function maxPool2dGradArgmax(arg: Int32Array, dy: Float32Array, dx: Float32Array): void {
  dx.fill(0);
  for (let o = 0; o < arg.length; o++) {
    const a = arg[o]!;
    if (a >= 0) dx[a]! += dy[o]!;
  }
}

/** y = avgPool(x), dividing each window by the number of input (non-padding) elements it covers. */
export function avgPool2d(x: Float32Array, y: Float32Array, g: Pool2dGeometry): void {
  const { batch, inHeight, inWidth, channels: c, outHeight, outWidth } = g;
  if (poolSum.length < c) poolSum = new Float64Array(c);
  const sum = poolSum;
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      const yStart = Math.max(y0, 0), yEnd = Math.min(y0 + g.filterHeight, inHeight);
      for (let ox = 0; ox < outWidth; ox++, o += c) {
        const x0 = ox * g.strideWidth - g.padLeft;
        const xStart = Math.max(x0, 0), xEnd = Math.min(x0 + g.filterWidth, inWidth);
        sum.fill(0, 0, c);
        for (let iy = yStart; iy < yEnd; iy++) {
          for (let ix = xStart; ix < xEnd; ix++) {
            const s = ((b * inHeight + iy) * inWidth + ix) * c;
            for (let ch = 0; ch < c; ch++) sum[ch]! += x[s + ch]!;
          }
        }
        const count = Math.max(yEnd - yStart, 0) * Math.max(xEnd - xStart, 0);
        const scale = count > 0 ? 1 / count : NaN;
        for (let ch = 0; ch < c; ch++) y[o + ch] = sum[ch]! * scale;
      }
    }
  }
}

/** dx = dL/dx of avgPool: each output's gradient is spread evenly over its window's input elements. */
export function avgPool2dGrad(dy: Float32Array, dx: Float32Array, g: Pool2dGeometry): void {
  const { batch, inHeight, inWidth, channels: c, outHeight, outWidth } = g;
  dx.fill(0);
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * g.strideHeight - g.padTop;
      const yStart = Math.max(y0, 0), yEnd = Math.min(y0 + g.filterHeight, inHeight);
      for (let ox = 0; ox < outWidth; ox++, o += c) {
        const x0 = ox * g.strideWidth - g.padLeft;
        const xStart = Math.max(x0, 0), xEnd = Math.min(x0 + g.filterWidth, inWidth);
        if (yEnd <= yStart || xEnd <= xStart) continue;
        const scale = 1 / ((yEnd - yStart) * (xEnd - xStart));
        for (let iy = yStart; iy < yEnd; iy++) {
          for (let ix = xStart; ix < xEnd; ix++) {
            const s = ((b * inHeight + iy) * inWidth + ix) * c;
            for (let ch = 0; ch < c; ch++) dx[s + ch]! += dy[o + ch]! * scale;
          }
        }
      }
    }
  }
}

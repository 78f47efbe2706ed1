/**
 * Grouped convolution over three spatial axes (NDHWC), with its two backprop kernels: Conv3D, and Conv1D /
 * Conv2D with `groups > 1` (depth and height 1). Plain loops over Float32Arrays, like `conv.ts`: im2col one
 * group's channels for a chunk of output pixels, then one strided GEMM per group against that group's block of
 * filter columns. With cg = inChannels / groups and og = outChannels / groups, K = fd * fh * fw * cg and the
 * filter [fd, fh, fw, cg, outChannels] viewed as a [K, outChannels] matrix W whose columns
 * [g * og, (g + 1) * og) belong to group g:
 *
 *   forward   Y[:, group g]  = cols_g · W[:, group g]
 *   dInput    dx             = Σ_g col2im_g(dY[:, group g] · W[:, group g]ᵀ)
 *   dFilter   dW[:, group g] = cols_gᵀ · dY[:, group g]
 *
 * The GEMM reads Y, dY and W through a row stride of outChannels, so no group is ever copied out. Transposed
 * convolutions are these kernels with the roles swapped (the op passes the transposed conv's output as the
 * geometry's input), which is why the geometry allows any padding: im2col reads zeros and col2im drops
 * whatever falls outside the input.
 */
import { gemm } from './gemm';

/** Shapes, strides, dilations and padding of a grouped 3-D convolution, resolved by the op. */
export interface ConvNdGeometry {
  batch: number;
  inDepth: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outDepth: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterDepth: number;
  filterHeight: number;
  filterWidth: number;
  strideDepth: number;
  strideHeight: number;
  strideWidth: number;
  dilationDepth: number;
  dilationHeight: number;
  dilationWidth: number;
  /** Zero planes in front of / rows above / columns left of the input (the rest is implied by the output size). */
  padFront: number;
  padTop: number;
  padLeft: number;
  /** inChannels and outChannels are both multiples of groups; group g sees input channels [g*cg, (g+1)*cg). */
  groups: number;
}

/** Target im2col chunk size in floats (as conv.ts: 256 KB). */
const CHUNK_FLOATS = 1 << 16;

let colsScratch = new Float32Array(0);

function scratch(size: number): Float32Array {
  if (colsScratch.length < size) colsScratch = new Float32Array(size);
  return colsScratch;
}

function sizes(g: ConvNdGeometry) {
  const cg = g.inChannels / g.groups, og = g.outChannels / g.groups;
  const k = g.filterDepth * g.filterHeight * g.filterWidth * cg;
  const rows = g.batch * g.outDepth * g.outHeight * g.outWidth;
  const chunk = Math.min(rows, Math.max(4, Math.floor(CHUNK_FLOATS / Math.max(k, 1)) & ~3));
  return { cg, og, k, rows, chunk };
}

/** y = conv3d(x, filter): x [batch, inD, inH, inW, inC], filter [fd, fh, fw, inC/groups, outC], y [batch, outD, outH, outW, outC]. */
export function convNd(x: Float32Array, filter: Float32Array, y: Float32Array, g: ConvNdGeometry): void {
  const { cg, og, k, rows, chunk } = sizes(g);
  const n = g.outChannels;
  if (rows === 0 || n === 0) return;
  if (k === 0) { y.fill(0); return; }
  const cols = scratch(chunk * k);
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const r1 = Math.min(r0 + chunk, rows), m = r1 - r0;
    for (let grp = 0; grp < g.groups; grp++) {
      im2colNd(x, g, r0, r1, grp * cg, cg, cols);
      gemm(m, og, k, cols, 0, k, 1, filter, grp * og, n, 1, y, r0 * n + grp * og, n, false);
    }
  }
}

/** dx = dL/dx of convNd given dy = dL/dy (overwrites dx). */
export function convNdBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, g: ConvNdGeometry): void {
  const { cg, og, k, rows, chunk } = sizes(g);
  const n = g.outChannels;
  dx.fill(0);
  if (rows === 0 || k === 0 || og === 0) return;
  const dcols = scratch(chunk * k);
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const r1 = Math.min(r0 + chunk, rows), m = r1 - r0;
    for (let grp = 0; grp < g.groups; grp++) {
      // dcols[m, k] = dY[rows, group] · W[:, group]ᵀ
      gemm(m, k, og, dy, r0 * n + grp * og, n, 1, filter, grp * og, 1, n, dcols, 0, k, false);
      col2imNd(dcols, g, r0, r1, grp * cg, cg, dx);
    }
  }
}

/** dFilter = dL/dfilter of convNd given dy = dL/dy (overwrites dFilter). */
export function convNdBackpropFilter(x: Float32Array, dy: Float32Array, dFilter: Float32Array, g: ConvNdGeometry): void {
  const { cg, og, k, rows, chunk } = sizes(g);
  const n = g.outChannels;
  dFilter.fill(0);
  if (rows === 0 || k === 0 || og === 0) return;
  const cols = scratch(chunk * k);
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const r1 = Math.min(r0 + chunk, rows), m = r1 - r0;
    for (let grp = 0; grp < g.groups; grp++) {
      im2colNd(x, g, r0, r1, grp * cg, cg, cols);
      // dW[k, group] += colsᵀ · dY[rows, group]
      gemm(k, og, m, cols, 0, 1, k, dy, r0 * n + grp * og, n, 1, dFilter, grp * og, n, true);
    }
  }
}

/**
 * Rows [r0, r1) of the im2col matrix of channels [c0, c0 + cg): row r is output pixel r (batch, then depth,
 * height, width), laid out [fd, fh, fw, cg] like the filter, zero where the window reaches outside the input.
 */
function im2colNd(x: Float32Array, g: ConvNdGeometry, r0: number, r1: number, c0: number, cg: number, cols: Float32Array): void {
  const { inDepth, inHeight, inWidth, inChannels, outDepth, outHeight, outWidth, filterDepth, filterHeight, filterWidth } = g;
  let o = 0;
  for (let r = r0; r < r1; r++) {
    let t = r;
    const ox = t % outWidth; t = (t - ox) / outWidth;
    const oy = t % outHeight; t = (t - oy) / outHeight;
    const oz = t % outDepth;
    const b = (t - oz) / outDepth;
    const iz0 = oz * g.strideDepth - g.padFront, iy0 = oy * g.strideHeight - g.padTop, ix0 = ox * g.strideWidth - g.padLeft;
    for (let kz = 0; kz < filterDepth; kz++) {
      const iz = iz0 + kz * g.dilationDepth;
      for (let ky = 0; ky < filterHeight; ky++) {
        const iy = iy0 + ky * g.dilationHeight;
        if (iz < 0 || iz >= inDepth || iy < 0 || iy >= inHeight) {
          cols.fill(0, o, o + filterWidth * cg);
          o += filterWidth * cg;
          continue;
        }
        const rowBase = ((b * inDepth + iz) * inHeight + iy) * inWidth;
        for (let kx = 0; kx < filterWidth; kx++, o += cg) {
          const ix = ix0 + kx * g.dilationWidth;
          if (ix < 0 || ix >= inWidth) { cols.fill(0, o, o + cg); continue; }
          const s = (rowBase + ix) * inChannels + c0;
          for (let i = 0; i < cg; i++) cols[o + i] = x[s + i]!;
        }
      }
    }
  }
}

/** The adjoint of im2colNd: adds rows [r0, r1) of dcols into channels [c0, c0 + cg) of dx. */
function col2imNd(dcols: Float32Array, g: ConvNdGeometry, r0: number, r1: number, c0: number, cg: number, dx: Float32Array): void {
  const { inDepth, inHeight, inWidth, inChannels, outDepth, outHeight, outWidth, filterDepth, filterHeight, filterWidth } = g;
  let o = 0;
  for (let r = r0; r < r1; r++) {
    let t = r;
    const ox = t % outWidth; t = (t - ox) / outWidth;
    const oy = t % outHeight; t = (t - oy) / outHeight;
    const oz = t % outDepth;
    const b = (t - oz) / outDepth;
    const iz0 = oz * g.strideDepth - g.padFront, iy0 = oy * g.strideHeight - g.padTop, ix0 = ox * g.strideWidth - g.padLeft;
    for (let kz = 0; kz < filterDepth; kz++) {
      const iz = iz0 + kz * g.dilationDepth;
      for (let ky = 0; ky < filterHeight; ky++) {
        const iy = iy0 + ky * g.dilationHeight;
        if (iz < 0 || iz >= inDepth || iy < 0 || iy >= inHeight) { o += filterWidth * cg; continue; }
        const rowBase = ((b * inDepth + iz) * inHeight + iy) * inWidth;
        for (let kx = 0; kx < filterWidth; kx++, o += cg) {
          const ix = ix0 + kx * g.dilationWidth;
          if (ix < 0 || ix >= inWidth) continue;
          const s = (rowBase + ix) * inChannels + c0;
          for (let i = 0; i < cg; i++) dx[s + i]! += dcols[o + i]!;
        }
      }
    }
  }
}

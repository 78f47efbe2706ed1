/**
 * The convolutions of Keras' layer set beyond conv2d (channels-last throughout): conv1d (NWC, with 'causal'
 * padding) and conv3d (NDHWC), grouped convolution, the transposed convolutions with Keras 3's output-size rule
 * and `outputPadding`, depthwise and separable convolutions. Each op resolves its geometry, runs a kernel and
 * records its backward pass next to it:
 *
 * - groups = 1 in 1-D/2-D runs the conv2d kernels (im2col + the backend's GEMM) on a height-1 image;
 * - 3-D or groups > 1 runs the grouped kernels of `kernels/conv-grouped.ts`;
 * - a transposed convolution is the input gradient of the forward convolution from its output back to its
 *   input, so its forward pass is a backprop-input kernel and its backward pass a forward conv (for dx) and a
 *   backprop-filter kernel (for the filter), with the roles of x and dy swapped;
 * - depthwise convolutions run `kernels/depthwise.ts`; separable ones are depthwise then a 1x1 conv2d.
 */
import { Tensor, opResult } from '../tensor';
import type { TensorLike } from '../tensor';
import { formatShape } from '../shape';
import { kernels } from '../kernels';
import type { Conv2dGeometry } from '../kernels/conv';
import type { ConvNdGeometry } from '../kernels/conv-grouped';
import type { DepthwiseConv2dGeometry } from '../kernels/depthwise';
import { record } from '../autograd';
import { toTensor } from './creation';
import { reshape } from './shape';
import { allocFloat32 } from '../alloc';
import {
  asFloat, checkStridesDilations, floatValues, outputPaddingTuple, positiveTuple, resolveAxis, resolveTransposeAxis,
} from './conv-util';
import type { ConvPadding } from './conv-util';

export type { ConvPadding };

type Pair = number | readonly [number, number];
type Triple = number | readonly [number, number, number];

const AXES = ['depth', 'height', 'width'] as const;
const AXIS_NAMES: Record<1 | 2 | 3, string> = { 1: 'width', 2: 'height, width', 3: 'depth, height, width' };
const LAYOUT: Record<1 | 2 | 3, string> = { 1: '[batch, width, channels]', 2: '[batch, height, width, channels]', 3: '[batch, depth, height, width, channels]' };
const FILTER: Record<1 | 2 | 3, string> = { 1: 'kernelWidth', 2: 'kernelHeight, kernelWidth', 3: 'kernelDepth, kernelHeight, kernelWidth' };

/**
 * 1-D convolution of NWC `x` [batch, width, inChannels] (or [width, inChannels]) with `filter`
 * [kernelWidth, inChannels / groups, outChannels]. `pad` may also be 'causal' (Keras: dilation * (kernel - 1)
 * zeros on the left only, so output t sees inputs up to t). Keras' Conv1D.
 */
export function conv1d(x: TensorLike, filter: TensorLike, stride = 1, pad: ConvPadding | 'causal' = 'valid', dilation = 1, groups = 1): Tensor {
  return convForward('conv1d', 1, x, filter, stride, pad, dilation, groups);
}

/**
 * 3-D convolution of NDHWC `x` [batch, depth, height, width, inChannels] (or without batch) with `filter`
 * [kernelDepth, kernelHeight, kernelWidth, inChannels / groups, outChannels]. Keras' Conv3D.
 */
export function conv3d(x: TensorLike, filter: TensorLike, strides: Triple = 1, pad: ConvPadding = 'valid', dilations: Triple = 1, groups = 1): Tensor {
  return convForward('conv3d', 3, x, filter, strides, pad, dilations, groups);
}

/** @internal conv2d with groups > 1 (conv2d itself routes there). */
export function groupedConv2d(op: string, x: TensorLike, filter: TensorLike, strides: Pair, pad: ConvPadding | readonly (readonly [number, number])[], dilations: Pair, groups: number): Tensor {
  return convForward(op, 2, x, filter, strides, pad, dilations, groups);
}

/** Lifts an input of `spatial` spatial axes (batched or not) to [batch, depth, height, width, channels]. */
function inputTo5d(op: string, spatial: 1 | 2 | 3, t: Tensor, what = 'input'): { x5: Tensor; batched: boolean } {
  if (t.rank !== spatial + 2 && t.rank !== spatial + 1) {
    throw new Error(`${op}: ${what} must have rank ${spatial + 2} ${LAYOUT[spatial]} or rank ${spatial + 1} (without batch), got rank ${t.rank} (shape ${formatShape(t.shape)})`);
  }
  const batched = t.rank === spatial + 2;
  const s = batched ? t.shape : [1, ...t.shape];
  return { x5: reshape(t, [s[0]!, ...Array<number>(3 - spatial).fill(1), ...s.slice(1)]), batched };
}

/** Lifts a filter [...kernel (spatial), a, b] to [kd, kh, kw, a, b]. */
function filterTo5d(op: string, spatial: 1 | 2 | 3, w: Tensor, layout: string): Tensor {
  if (w.rank !== spatial + 2) {
    throw new Error(`${op}: filter must have rank ${spatial + 2} [${FILTER[spatial]}, ${layout}], got rank ${w.rank} (shape ${formatShape(w.shape)})`);
  }
  if (w.shape.slice(0, spatial).some((k) => k < 1)) throw new Error(`${op}: every kernel size must be at least 1, got filter shape ${formatShape(w.shape)}`);
  return reshape(w, [...Array<number>(3 - spatial).fill(1), ...w.shape]);
}

/** Drops the leading size-1 spatial axes (and the batch axis of an unbatched input) again. */
function outputFrom5d(y: Tensor, spatial: 1 | 2 | 3, batched: boolean): Tensor {
  const shape = [...(batched ? [y.shape[0]!] : []), ...y.shape.slice(4 - spatial)];
  return reshape(y, shape);
}

function padFor(pad: ConvPadding | 'causal' | readonly (readonly [number, number])[], axis: number): ConvPadding | 'causal' | readonly [number, number] {
  return Array.isArray(pad) ? (pad as readonly (readonly [number, number])[])[axis]! : pad as ConvPadding | 'causal';
}

function convForward(
  op: string, spatial: 1 | 2 | 3, x: TensorLike, filter: TensorLike, strides: number | readonly number[],
  pad: ConvPadding | 'causal' | readonly (readonly [number, number])[], dilations: number | readonly number[], groups: number,
): Tensor {
  const { x5, batched } = inputTo5d(op, spatial, asFloat(toTensor(x)));
  const w5 = filterTo5d(op, spatial, asFloat(toTensor(filter)), 'inChannels / groups, outChannels');
  const [batch, inDepth, inHeight, inWidth, inChannels] = x5.shape as [number, number, number, number, number];
  const [fd, fh, fw, filterIn, outChannels] = w5.shape as [number, number, number, number, number];
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${JSON.stringify(groups)}`);
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(`${op}: groups (${groups}) must divide both the input channels (${inChannels}) and the output channels (${outChannels})`);
  }
  if (filterIn * groups !== inChannels) {
    throw new Error(`${op}: input has ${inChannels} channels but the filter expects ${filterIn * groups} (${filterIn} per group x ${groups} group${groups > 1 ? 's' : ''}; filter shape ${formatShape(toTensor(filter).shape)})`);
  }
  const names = AXIS_NAMES[spatial];
  const s = [...Array<number>(3 - spatial).fill(1), ...positiveTuple(op, 'strides', strides, spatial, names)];
  const d = [...Array<number>(3 - spatial).fill(1), ...positiveTuple(op, 'dilations', dilations, spatial, names)];
  checkStridesDilations(op, s, d);
  const sizes = [inDepth, inHeight, inWidth], ks = [fd, fh, fw];
  const ax = [0, 1, 2].map((i) => i < 3 - spatial
    ? { out: 1, before: 0 }
    : resolveAxis(op, AXES[i]!, padFor(pad, i - (3 - spatial)), sizes[i]!, ks[i]!, s[i]!, d[i]!, op === 'conv1d'));
  const g: ConvNdGeometry = {
    batch, inDepth, inHeight, inWidth, inChannels, outDepth: ax[0]!.out, outHeight: ax[1]!.out, outWidth: ax[2]!.out, outChannels,
    filterDepth: fd, filterHeight: fh, filterWidth: fw, strideDepth: s[0]!, strideHeight: s[1]!, strideWidth: s[2]!,
    dilationDepth: d[0]!, dilationHeight: d[1]!, dilationWidth: d[2]!, padFront: ax[0]!.before, padTop: ax[1]!.before, padLeft: ax[2]!.before, groups,
  };
  const y = spatial < 3 && groups === 1 ? conv2dNode(op, x5, w5, g) : convNdNode(op, x5, w5, g);
  return outputFrom5d(y, spatial, batched);
}

/** The depth-1, ungrouped geometry in the conv2d kernels' terms (the image is [batch * 1, height, width]). */
function as2d(g: ConvNdGeometry): Conv2dGeometry {
  return {
    batch: g.batch * g.inDepth, inHeight: g.inHeight, inWidth: g.inWidth, inChannels: g.inChannels,
    outHeight: g.outHeight, outWidth: g.outWidth, outChannels: g.outChannels, filterHeight: g.filterHeight, filterWidth: g.filterWidth,
    strideHeight: g.strideHeight, strideWidth: g.strideWidth, dilationHeight: g.dilationHeight, dilationWidth: g.dilationWidth,
    padTop: g.padTop, padLeft: g.padLeft,
  };
}

function outShape(g: ConvNdGeometry): number[] {
  return [g.batch, g.outDepth, g.outHeight, g.outWidth, g.outChannels];
}

function inShape(g: ConvNdGeometry): number[] {
  return [g.batch, g.inDepth, g.inHeight, g.inWidth, g.inChannels];
}

/** Forward conv through the conv2d kernels (depth 1, groups 1). */
function conv2dNode(op: string, x5: Tensor, w5: Tensor, g: ConvNdGeometry): Tensor {
  const g2 = as2d(g);
  const out = allocFloat32(g.batch * g.outDepth * g.outHeight * g.outWidth * g.outChannels);
  kernels().conv2d(x5.values as Float32Array, w5.values as Float32Array, out, g2);
  return record(new Tensor(out, outShape(g)), op, [x5, w5], (dy) => {
    const dyv = floatValues(dy);
    let dx: Tensor | null = null, dw: Tensor | null = null;
    if (x5.requiresGrad) {
      const v = allocFloat32(x5.size);
      kernels().conv2dBackpropInput(dyv, w5.values as Float32Array, v, g2);
      dx = opResult(v, x5.shape);
    }
    if (w5.requiresGrad) {
      const v = allocFloat32(w5.size);
      kernels().conv2dBackpropFilter(x5.values as Float32Array, dyv, v, g2);
      dw = opResult(v, w5.shape);
    }
    return [dx, dw];
  });
}

/** Forward conv through the grouped 3-D kernels. */
function convNdNode(op: string, x5: Tensor, w5: Tensor, g: ConvNdGeometry): Tensor {
  const out = allocFloat32(g.batch * g.outDepth * g.outHeight * g.outWidth * g.outChannels);
  kernels().convNd(x5.values as Float32Array, w5.values as Float32Array, out, g);
  return record(new Tensor(out, outShape(g)), op, [x5, w5], (dy) => {
    const dyv = floatValues(dy);
    let dx: Tensor | null = null, dw: Tensor | null = null;
    if (x5.requiresGrad) {
      const v = allocFloat32(x5.size);
      kernels().convNdBackpropInput(dyv, w5.values as Float32Array, v, g);
      dx = opResult(v, x5.shape);
    }
    if (w5.requiresGrad) {
      const v = allocFloat32(w5.size);
      kernels().convNdBackpropFilter(x5.values as Float32Array, dyv, v, g);
      dw = opResult(v, w5.shape);
    }
    return [dx, dw];
  });
}

// ---------------------------------------------------------------------------------------------------------
// Transposed convolutions.

/**
 * Transposed 1-D convolution (Keras' Conv1DTranspose) of NWC `x` [batch, width, inChannels] with `filter`
 * [kernelWidth, outChannels, inChannels] (Keras' kernel layout). Output width, with k = dilation * (kernel - 1) + 1:
 * 'valid': (w - 1) * stride + max(k, stride), 'same': w * stride; with `outputPadding` p (< stride):
 * 'valid': (w - 1) * stride + k + p, 'same': (w - 1) * stride + k % 2 + p (Keras 3's rule).
 */
export function conv1dTranspose(x: TensorLike, filter: TensorLike, stride = 1, pad: 'valid' | 'same' = 'valid', outputPadding: number | null = null, dilation = 1): Tensor {
  return convTranspose('conv1dTranspose', 1, x, filter, stride, pad, outputPadding, dilation);
}

/**
 * Transposed 2-D convolution (Keras' Conv2DTranspose) of NHWC `x` with `filter` [kernelHeight, kernelWidth,
 * outChannels, inChannels]; output size per axis as in `conv1dTranspose`. `outputPadding` is null (Keras'
 * default: inferred), a number, or [height, width].
 */
export function conv2dTranspose(x: TensorLike, filter: TensorLike, strides: Pair = 1, pad: 'valid' | 'same' = 'valid', outputPadding: Pair | null = null, dilations: Pair = 1): Tensor {
  return convTranspose('conv2dTranspose', 2, x, filter, strides, pad, outputPadding, dilations);
}

/** Transposed 3-D convolution (Keras' Conv3DTranspose) of NDHWC `x` with `filter` [kd, kh, kw, outChannels, inChannels]. */
export function conv3dTranspose(x: TensorLike, filter: TensorLike, strides: Triple = 1, pad: 'valid' | 'same' = 'valid', outputPadding: Triple | null = null, dilations: Triple = 1): Tensor {
  return convTranspose('conv3dTranspose', 3, x, filter, strides, pad, outputPadding, dilations);
}

function convTranspose(
  op: string, spatial: 1 | 2 | 3, x: TensorLike, filter: TensorLike, strides: number | readonly number[], pad: 'valid' | 'same',
  outputPadding: number | readonly number[] | null, dilations: number | readonly number[],
): Tensor {
  const { x5, batched } = inputTo5d(op, spatial, asFloat(toTensor(x)));
  const w5 = filterTo5d(op, spatial, asFloat(toTensor(filter)), 'outChannels, inChannels');
  const [batch, inDepth, inHeight, inWidth, inChannels] = x5.shape as [number, number, number, number, number];
  const [fd, fh, fw, outChannels, filterIn] = w5.shape as [number, number, number, number, number];
  if (filterIn !== inChannels) {
    throw new Error(`${op}: input has ${inChannels} channels but the filter expects ${filterIn} (the filter's last axis; filter shape ${formatShape(toTensor(filter).shape)}, Keras' [${FILTER[spatial]}, outChannels, inChannels])`);
  }
  const names = AXIS_NAMES[spatial];
  const sUser = positiveTuple(op, 'strides', strides, spatial, names);
  const s = [...Array<number>(3 - spatial).fill(1), ...sUser];
  const d = [...Array<number>(3 - spatial).fill(1), ...positiveTuple(op, 'dilations', dilations, spatial, names)];
  const p = [...Array<null>(3 - spatial).fill(null), ...outputPaddingTuple(op, outputPadding, sUser, names)];
  const sizes = [inDepth, inHeight, inWidth], ks = [fd, fh, fw];
  const ax = [0, 1, 2].map((i) => i < 3 - spatial
    ? { out: 1, before: 0 }
    : resolveTransposeAxis(op, AXES[i]!, pad, sizes[i]!, ks[i]!, s[i]!, d[i]!, p[i]!));
  // The forward convolution this is the input gradient of: from the transposed output back to x.
  const g: ConvNdGeometry = {
    batch, inDepth: ax[0]!.out, inHeight: ax[1]!.out, inWidth: ax[2]!.out, inChannels: outChannels,
    outDepth: inDepth, outHeight: inHeight, outWidth: inWidth, outChannels: inChannels,
    filterDepth: fd, filterHeight: fh, filterWidth: fw, strideDepth: s[0]!, strideHeight: s[1]!, strideWidth: s[2]!,
    dilationDepth: d[0]!, dilationHeight: d[1]!, dilationWidth: d[2]!, padFront: ax[0]!.before, padTop: ax[1]!.before, padLeft: ax[2]!.before, groups: 1,
  };
  const k = kernels();
  const xv = x5.values as Float32Array, wv = w5.values as Float32Array;
  const out = allocFloat32(g.batch * g.inDepth * g.inHeight * g.inWidth * g.inChannels);
  const twoD = spatial < 3;
  const g2 = twoD ? as2d(g) : null;
  if (g2) k.conv2dBackpropInput(xv, wv, out, g2);
  else k.convNdBackpropInput(xv, wv, out, g);
  const y = record(new Tensor(out, inShape(g)), op, [x5, w5], (dy) => {
    const dyv = floatValues(dy);
    let dx: Tensor | null = null, dw: Tensor | null = null;
    if (x5.requiresGrad) {
      const v = allocFloat32(x5.size);
      if (g2) kernels().conv2d(dyv, wv, v, g2);
      else kernels().convNd(dyv, wv, v, g);
      dx = opResult(v, x5.shape);
    }
    if (w5.requiresGrad) {
      const v = allocFloat32(w5.size);
      if (g2) kernels().conv2dBackpropFilter(dyv, xv, v, g2);
      else kernels().convNdBackpropFilter(dyv, xv, v, g);
      dw = opResult(v, w5.shape);
    }
    return [dx, dw];
  });
  return outputFrom5d(y, spatial, batched);
}

// ---------------------------------------------------------------------------------------------------------
// Depthwise and separable convolutions.

/**
 * Depthwise 2-D convolution (Keras' DepthwiseConv2D) of NHWC `x` [batch, height, width, inChannels] with
 * `filter` `[kernelHeight, kernelWidth, inChannels, depthMultiplier]`: each input channel c is convolved with
 * its own depthMultiplier filters, giving output channel c * depthMultiplier + m (TensorFlow's order).
 */
export function depthwiseConv2d(x: TensorLike, filter: TensorLike, strides: Pair = 1, pad: ConvPadding = 'valid', dilations: Pair = 1): Tensor {
  return depthwise('depthwiseConv2d', 2, x, filter, strides, pad, dilations);
}

/** Depthwise 1-D convolution (Keras' DepthwiseConv1D) of NWC `x` with `filter` [kernelWidth, inChannels, depthMultiplier]. */
export function depthwiseConv1d(x: TensorLike, filter: TensorLike, stride = 1, pad: ConvPadding = 'valid', dilation = 1): Tensor {
  return depthwise('depthwiseConv1d', 1, x, filter, stride, pad, dilation);
}

function depthwise(op: string, spatial: 1 | 2, x: TensorLike, filter: TensorLike, strides: number | readonly number[], pad: ConvPadding, dilations: number | readonly number[]): Tensor {
  const { x5, batched } = inputTo5d(op, spatial, asFloat(toTensor(x)));
  const w5 = filterTo5d(op, spatial, asFloat(toTensor(filter)), 'inChannels, depthMultiplier');
  const [batch, , inHeight, inWidth, inChannels] = x5.shape as [number, number, number, number, number];
  const [, fh, fw, filterIn, mult] = w5.shape as [number, number, number, number, number];
  if (filterIn !== inChannels) {
    throw new Error(`${op}: input has ${inChannels} channels but the filter expects ${filterIn} (filter shape ${formatShape(toTensor(filter).shape)}, [${FILTER[spatial]}, inChannels, depthMultiplier])`);
  }
  const names = AXIS_NAMES[spatial];
  const s = [...(spatial === 1 ? [1] : []), ...positiveTuple(op, 'strides', strides, spatial, names)];
  const d = [...(spatial === 1 ? [1] : []), ...positiveTuple(op, 'dilations', dilations, spatial, names)];
  checkStridesDilations(op, s, d);
  const h = spatial === 1 ? { out: 1, before: 0 } : resolveAxis(op, 'height', pad, inHeight, fh, s[0]!, d[0]!);
  const w = resolveAxis(op, 'width', pad, inWidth, fw, s[1]!, d[1]!);
  const g: DepthwiseConv2dGeometry = {
    batch, inHeight, inWidth, inChannels, outHeight: h.out, outWidth: w.out, channelMultiplier: mult,
    filterHeight: fh, filterWidth: fw, strideHeight: s[0]!, strideWidth: s[1]!, dilationHeight: d[0]!, dilationWidth: d[1]!,
    padTop: h.before, padLeft: w.before,
  };
  const xv = x5.values as Float32Array, wv = w5.values as Float32Array;
  const out = allocFloat32(batch * g.outHeight * g.outWidth * inChannels * mult);
  kernels().depthwiseConv2d(xv, wv, out, g);
  const y = record(new Tensor(out, [batch, 1, g.outHeight, g.outWidth, inChannels * mult]), op, [x5, w5], (dy) => {
    const dyv = floatValues(dy);
    let dx: Tensor | null = null, dw: Tensor | null = null;
    if (x5.requiresGrad) {
      const v = allocFloat32(x5.size);
      kernels().depthwiseConv2dBackpropInput(dyv, wv, v, g);
      dx = opResult(v, x5.shape);
    }
    if (w5.requiresGrad) {
      const v = allocFloat32(w5.size);
      kernels().depthwiseConv2dBackpropFilter(xv, dyv, v, g);
      dw = opResult(v, w5.shape);
    }
    return [dx, dw];
  });
  return outputFrom5d(y, spatial, batched);
}

/**
 * Separable 2-D convolution (Keras' SeparableConv2D): `depthwiseConv2d(x, depthwiseFilter, strides, pad,
 * dilations)` then a 1x1 `conv2d` with `pointwiseFilter` [1, 1, inChannels * depthMultiplier, outChannels].
 */
export function separableConv2d(x: TensorLike, depthwiseFilter: TensorLike, pointwiseFilter: TensorLike, strides: Pair = 1, pad: ConvPadding = 'valid', dilations: Pair = 1): Tensor {
  const pw = toTensor(pointwiseFilter);
  if (pw.rank !== 4 || pw.shape[0] !== 1 || pw.shape[1] !== 1) {
    throw new Error(`separableConv2d: pointwiseFilter must have shape [1, 1, inChannels * depthMultiplier, outChannels], got ${formatShape(pw.shape)}`);
  }
  // The pointwise step through this module's own convolution (conv.ts delegates grouped convs here, so it
  // cannot be imported back without an import cycle).
  return groupedConv2d('separableConv2d', depthwiseConv2d(x, depthwiseFilter, strides, pad, dilations), pw, 1, 'valid', 1, 1);
}

/**
 * Separable 1-D convolution (Keras' SeparableConv1D): `depthwiseConv1d` then a pointwise `conv1d` with
 * `pointwiseFilter` [1, inChannels * depthMultiplier, outChannels].
 */
export function separableConv1d(x: TensorLike, depthwiseFilter: TensorLike, pointwiseFilter: TensorLike, stride = 1, pad: ConvPadding = 'valid', dilation = 1): Tensor {
  const pw = toTensor(pointwiseFilter);
  if (pw.rank !== 3 || pw.shape[0] !== 1) {
    throw new Error(`separableConv1d: pointwiseFilter must have shape [1, inChannels * depthMultiplier, outChannels], got ${formatShape(pw.shape)}`);
  }
  return conv1d(depthwiseConv1d(x, depthwiseFilter, stride, pad, dilation), pw, 1, 'valid');
}

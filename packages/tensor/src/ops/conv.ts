/**
 * conv2d, fusedConv2d, maxPool, avgPool (NHWC), with tfjs-core signatures. Each op resolves shapes and
 * TensorFlow's padding into a geometry object, runs a kernel from `kernels/conv.ts`, and records its backward
 * pass (the conv2d backprop kernels, or the pooling gradient kernels) right here. A maxPool of a fusedConv2d
 * output records one node for both (`recordConvMaxPool`): Conv2D + MaxPooling2D, a convnet's memory hog.
 */
import { Tensor, opResult } from '../tensor';
import type { TensorLike } from '../tensor';
import { formatShape } from '../shape';
import { kernels } from '../kernels';
import type { Conv2dGeometry, ConvActivation, Pool2dGeometry } from '../kernels/conv';
import { isRecording, record } from '../autograd';
import { toTensor } from './creation';
import { add, cast, relu } from './elementwise';
import { groupedConv2d } from './conv-nd';
import type { ConvPadding } from './conv-util';
import { reshape } from './shape';
import { allocFloat32 } from '../alloc';

export type { ConvActivation };

/**
 * 'valid' (no padding), 'same' (output = ceil(input / stride), padded as TensorFlow: the odd extra row or
 * column goes at the bottom/right), a number of zero rows/columns on every side, or explicit NHWC padding
 * `[[0, 0], [top, bottom], [left, right], [0, 0]]` (tfjs's ExplicitPadding).
 */
export type PaddingType = 'valid' | 'same' | number | ExplicitPadding;
/** Explicit NHWC padding: `[[0, 0], [top, bottom], [left, right], [0, 0]]` (tfjs's ExplicitPadding). */
export type ExplicitPadding = readonly [
  readonly [number, number], readonly [number, number], readonly [number, number], readonly [number, number],
];

/**
 * 2-D convolution (strictly: cross-correlation, as in TensorFlow) of NHWC input `x` [batch, height, width,
 * inChannels] (or [height, width, inChannels], giving a rank-3 result) with `filter` [filterHeight,
 * filterWidth, inChannels, outChannels]. `strides` and `dilations` are a number or [height, width];
 * as in TensorFlow, strides > 1 cannot be combined with dilations > 1.
 *
 * Like tfjs, the fifth argument may be the data format ('NHWC', the only one supported) followed by
 * dilations, or the dilations themselves. `groups` (Keras' Conv2D groups, default 1) splits the channels into
 * that many independent convolutions: the filter is then [filterHeight, filterWidth, inChannels / groups,
 * outChannels], and output channels [g * outChannels / groups, (g + 1) * outChannels / groups) see only input
 * channels [g * inChannels / groups, (g + 1) * inChannels / groups).
 */
export function conv2d(x: TensorLike, filter: TensorLike, strides: number | readonly [number, number], pad: PaddingType, dilations?: number | readonly [number, number], groups?: number): Tensor;
export function conv2d(x: TensorLike, filter: TensorLike, strides: number | readonly [number, number], pad: PaddingType, dataFormat: 'NHWC', dilations?: number | readonly [number, number], groups?: number): Tensor;
export function conv2d(
  x: TensorLike, filter: TensorLike, strides: number | readonly [number, number], pad: PaddingType,
  formatOrDilations?: 'NHWC' | number | readonly [number, number], dilationsOrGroups?: number | readonly [number, number], maybeGroups?: number,
): Tensor {
  let dil: number | readonly [number, number] = 1;
  let groups: unknown = 1;
  if (typeof formatOrDilations === 'string') {
    if (formatOrDilations !== 'NHWC') throw new Error(`conv2d: only dataFormat 'NHWC' is supported, got '${String(formatOrDilations)}'`);
    dil = dilationsOrGroups ?? 1;
    groups = maybeGroups ?? 1;
  } else {
    dil = formatOrDilations ?? 1;
    groups = dilationsOrGroups ?? 1;
  }
  if (groups !== 1) {
    if (typeof groups !== 'number' || !Number.isInteger(groups) || groups < 1) throw new Error(`conv2d: groups must be a positive integer, got ${JSON.stringify(groups)}`);
    return groupedConv2d('conv2d', x, filter, strides, groupedPadding('conv2d', pad), dil, groups);
  }
  const { input, x4, w, g } = prepareConv('conv2d', x, filter, strides, pad, dil);
  const out = allocFloat32(g.batch * g.outHeight * g.outWidth * g.outChannels);
  kernels().conv2d(x4.values as Float32Array, w.values as Float32Array, out, g);
  const y = record(new Tensor(out, [g.batch, g.outHeight, g.outWidth, g.outChannels]), 'conv2d', [x4, w], (dy) => {
    const dyv = floatValues(dy);
    let dx: Tensor | null = null, dw: Tensor | null = null;
    if (x4.requiresGrad) {
      const v = allocFloat32(x4.size);
      kernels().conv2dBackpropInput(dyv, w.values as Float32Array, v, g);
      dx = opResult(v, x4.shape);
    }
    if (w.requiresGrad) {
      const v = allocFloat32(w.size);
      kernels().conv2dBackpropFilter(x4.values as Float32Array, dyv, v, g);
      dw = opResult(v, w.shape);
    }
    return [dx, dw];
  });
  return input.rank === 3 ? reshape(y, y.shape.slice(1)) : y;
}

/** Arguments of {@link fusedConv2d}, as tfjs's `tf.fused.conv2d` takes them. */
export interface FusedConv2dArgs {
  x: TensorLike;
  filter: TensorLike;
  strides: number | readonly [number, number];
  pad: PaddingType;
  dataFormat?: 'NHWC';
  dilations?: number | readonly [number, number];
  /** [outChannels], added to every output pixel. */
  bias?: TensorLike | null;
  /** Applied last; default 'linear' (none). */
  activation?: ConvActivation;
  /**
   * Grouped convolution (Keras' Conv2D groups, default 1), as in `conv2d`. With groups > 1 the op is the
   * grouped conv, the bias add and the relu as three recorded ops (the same values, without the fusion).
   */
  groups?: number;
}

/**
 * `activation(conv2d(x, filter) + bias)` as one op, after tfjs's `tf.fused.conv2d`: the same values as the
 * three ops, but one output array instead of three, and a backward pass that never materializes the gradient
 * of the pre-activation (the activation's gradient is applied a chunk of rows at a time inside the kernel).
 * Conv2D layers use it; for a big first layer that is most of a training step's memory.
 */
export function fusedConv2d(args: FusedConv2dArgs): Tensor {
  const op = 'fusedConv2d';
  const { strides, pad, dataFormat, dilations = 1, activation = 'linear' } = args;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') throw new Error(`${op}: only dataFormat 'NHWC' is supported, got '${String(dataFormat)}'`);
  if (activation !== 'linear' && activation !== 'relu') {
    throw new Error(`${op}: activation must be 'linear' or 'relu', got ${JSON.stringify(activation)}; apply other activations as their own op`);
  }
  const groups = args.groups ?? 1;
  if (groups !== 1) {
    if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${JSON.stringify(groups)}`);
    let y = groupedConv2d(op, args.x, args.filter, strides, groupedPadding(op, pad), dilations, groups);
    const outC = y.shape[y.rank - 1]!;
    if (args.bias != null) {
      const b = asFloat(toTensor(args.bias));
      if (b.rank !== 1 || b.shape[0] !== outC) throw new Error(`${op}: bias must have shape [${outC}] (one value per output channel), got ${formatShape(b.shape)}`);
      y = add(y, b);
    }
    return activation === 'relu' ? relu(y) : y;
  }
  const { input, x4, w, g } = prepareConv(op, args.x, args.filter, strides, pad, dilations);
  const bias = args.bias == null ? null : asFloat(toTensor(args.bias));
  if (bias && (bias.rank !== 1 || bias.shape[0] !== g.outChannels)) {
    throw new Error(`${op}: bias must have shape [${g.outChannels}] (one value per output channel), got ${formatShape(bias.shape)}`);
  }
  const out = allocFloat32(g.batch * g.outHeight * g.outWidth * g.outChannels);
  kernels().conv2dBiasActivation(x4.values as Float32Array, w.values as Float32Array, bias ? bias.values as Float32Array : null, activation, out, g);
  const conv: FusedConv = { x4, w, bias, activation, g };
  const y = record(new Tensor(out, [g.batch, g.outHeight, g.outWidth, g.outChannels]), op, convInputs(conv), (dy) => {
    const grads = convGrads(conv);
    kernels().conv2dBiasActivationBackprop(x4.values as Float32Array, w.values as Float32Array, out, activation, floatValues(dy), grads.dx, grads.dw, grads.db, g);
    return grads.tensors();
  });
  if (input.rank === 3) return reshape(y, y.shape.slice(1));
  if (y.node) fusedConvOutputs.set(y, conv);
  return y;
}

/** What a maxPool of a fusedConv2d output needs to differentiate through both (see `pool`). */
interface FusedConv {
  x4: Tensor;
  w: Tensor;
  bias: Tensor | null;
  activation: ConvActivation;
  g: Conv2dGeometry;
}

/** Recorded fusedConv2d outputs; weak, so the entry goes when the output does. */
const fusedConvOutputs = new WeakMap<Tensor, FusedConv>();

function convInputs(c: FusedConv): Tensor[] {
  return c.bias ? [c.x4, c.w, c.bias] : [c.x4, c.w];
}

/** Gradient buffers for the conv inputs that need one, and the list autograd expects (null for the others). */
function convGrads(c: FusedConv) {
  const dx = c.x4.requiresGrad ? allocFloat32(c.x4.size) : null;
  const dw = c.w.requiresGrad ? allocFloat32(c.w.size) : null;
  const db = c.bias && c.bias.requiresGrad ? allocFloat32(c.bias.size) : null;
  return {
    dx, dw, db,
    tensors(): (Tensor | null)[] {
      const out = [dx && opResult(dx, c.x4.shape), dw && opResult(dw, c.w.shape)];
      if (c.bias) out.push(db && opResult(db, c.bias.shape));
      return out;
    },
  };
}

/** Validates a conv2d's operands and resolves its geometry (shared by conv2d and fusedConv2d). */
function prepareConv(
  op: string, x: TensorLike, filter: TensorLike, strides: number | readonly [number, number], pad: PaddingType,
  dil: number | readonly [number, number],
): { input: Tensor; x4: Tensor; w: Tensor; g: Conv2dGeometry } {
  const input = asFloat(toTensor(x));
  const w = asFloat(toTensor(filter));
  if (input.rank !== 3 && input.rank !== 4) {
    throw new Error(`${op}: input must have rank 4 [batch, height, width, channels] or rank 3 [height, width, channels], got rank ${input.rank} (shape ${formatShape(input.shape)})`);
  }
  if (w.rank !== 4) {
    throw new Error(`${op}: filter must have rank 4 [filterHeight, filterWidth, inChannels, outChannels], got rank ${w.rank} (shape ${formatShape(w.shape)})`);
  }
  const x4 = input.rank === 3 ? reshape(input, [1, ...input.shape]) : input;
  const [batch, inHeight, inWidth, inChannels] = x4.shape as [number, number, number, number];
  const [filterHeight, filterWidth, filterIn, outChannels] = w.shape as [number, number, number, number];
  if (inChannels !== filterIn) {
    const hint = filterIn > 0 && inChannels % filterIn === 0 && outChannels % (inChannels / filterIn) === 0 ? `; for a grouped convolution pass groups = ${inChannels / filterIn}` : '';
    throw new Error(`${op}: input has ${inChannels} channels but the filter expects ${filterIn} (filter shape ${formatShape(w.shape)})${hint}`);
  }
  const [strideHeight, strideWidth] = positivePair(op, 'strides', strides);
  const [dilationHeight, dilationWidth] = positivePair(op, 'dilations', dil);
  if ((strideHeight > 1 || strideWidth > 1) && (dilationHeight > 1 || dilationWidth > 1)) {
    throw new Error(`${op}: strides > 1 together with dilations > 1 is not supported (got strides [${strideHeight},${strideWidth}] and dilations [${dilationHeight},${dilationWidth}]); one of them must be 1, as in TensorFlow`);
  }
  if (filterHeight < 1 || filterWidth < 1) throw new Error(`${op}: filter height and width must be at least 1, got filter shape ${formatShape(w.shape)}`);
  const window = { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth };
  const { outHeight, outWidth, padTop, padLeft } = resolvePadding(op, pad, inHeight, inWidth, window);
  const g: Conv2dGeometry = {
    batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
    filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft,
  };
  return { input, x4, w, g };
}

/**
 * Max pooling over `filterSize` windows of NHWC `x` (rank 4, or rank 3 for a single image). Padding never
 * wins the max. The gradient goes to the first maximum of each window (row-major), as TensorFlow's.
 */
export function maxPool(x: TensorLike, filterSize: number | readonly [number, number], strides: number | readonly [number, number], pad: PaddingType): Tensor {
  return pool('maxPool', x, filterSize, strides, pad);
}

/**
 * Average pooling over `filterSize` windows of NHWC `x`. With padding, each window is divided by the number
 * of real (non-padding) elements it covers, as TensorFlow does.
 */
export function avgPool(x: TensorLike, filterSize: number | readonly [number, number], strides: number | readonly [number, number], pad: PaddingType): Tensor {
  return pool('avgPool', x, filterSize, strides, pad);
}

function pool(op: 'maxPool' | 'avgPool', x: TensorLike, filterSize: number | readonly [number, number], strides: number | readonly [number, number], pad: PaddingType): Tensor {
  const input = asFloat(toTensor(x));
  if (input.rank !== 3 && input.rank !== 4) {
    throw new Error(`${op}: input must have rank 4 [batch, height, width, channels] or rank 3 [height, width, channels], got rank ${input.rank} (shape ${formatShape(input.shape)})`);
  }
  const x4 = input.rank === 3 ? reshape(input, [1, ...input.shape]) : input;
  const [batch, inHeight, inWidth, channels] = x4.shape as [number, number, number, number];
  const [filterHeight, filterWidth] = positivePair(op, 'filterSize', filterSize);
  const [strideHeight, strideWidth] = positivePair(op, 'strides', strides);
  const window = { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight: 1, dilationWidth: 1 };
  const r = resolvePadding(op, pad, inHeight, inWidth, window);
  if (r.padTop >= filterHeight || r.padLeft >= filterWidth || r.padBottom >= filterHeight || r.padRight >= filterWidth) {
    throw new Error(`${op}: padding must be smaller than the ${filterHeight}x${filterWidth} window, or some windows would hold only padding`);
  }
  const g: Pool2dGeometry = {
    batch, inHeight, inWidth, channels, outHeight: r.outHeight, outWidth: r.outWidth,
    filterHeight, filterWidth, strideHeight, strideWidth, padTop: r.padTop, padLeft: r.padLeft,
  };
  const out = allocFloat32(batch * g.outHeight * g.outWidth * channels);
  const xv = x4.values as Float32Array;
  // When a gradient will be needed, max pooling remembers each window's winner so backward is a scatter.
  const arg = op === 'maxPool' && isRecording() && x4.requiresGrad ? new Int32Array(out.length) : null;
  if (arg) kernels().maxPool2dArgmax(xv, out, arg, g);
  else if (op === 'maxPool') kernels().maxPool2d(xv, out, g);
  else kernels().avgPool2d(xv, out, g);
  const conv = arg ? fusedConvOutputs.get(x4) : undefined;
  if (arg && conv) return recordConvMaxPool(conv, new Tensor(out, [batch, g.outHeight, g.outWidth, channels]), arg, g);
  const y = record(new Tensor(out, [batch, g.outHeight, g.outWidth, channels]), op, [x4], (dy) => {
    const dx = allocFloat32(x4.size);
    if (arg) kernels().maxPool2dGradArgmax(arg, floatValues(dy), dx);
    else if (op === 'maxPool') kernels().maxPool2dGrad(xv, floatValues(dy), dx, g);
    else kernels().avgPool2dGrad(floatValues(dy), dx, g);
    return [opResult(dx, x4.shape)];
  });
  return input.rank === 3 ? reshape(y, y.shape.slice(1)) : y;
}

/**
 * maxPool straight after a fusedConv2d: the pool's node takes the conv's inputs and differentiates through
 * both, so the conv output is garbage as soon as it is pooled and its full-size gradient is never made.
 * A function of its own: a closure built inside `pool` would share its scope, which holds the conv output.
 */
function recordConvMaxPool(conv: FusedConv, y: Tensor, arg: Int32Array, pg: Pool2dGeometry): Tensor {
  return record(y, 'fusedConv2dMaxPool', convInputs(conv), (dy) => {
    const grads = convGrads(conv);
    kernels().conv2dBiasActivationMaxPoolBackprop(
      conv.x4.values as Float32Array, conv.w.values as Float32Array, conv.activation,
      arg, y.values as Float32Array, floatValues(dy), pg, grads.dx, grads.dw, grads.db, conv.g,
    );
    return grads.tensors();
  });
}

// ---------------------------------------------------------------------------------------------------------

interface Window {
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
}

interface ResolvedPadding {
  outHeight: number;
  outWidth: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

/**
 * Output size and padding per spatial axis, exactly as TensorFlow computes them:
 * 'same':  out = ceil(in / stride), total = max((out - 1) * stride + effectiveFilter - in, 0),
 *          before = floor(total / 2) (the odd one goes after);
 * 'valid': out = ceil((in - effectiveFilter + 1) / stride), no padding;
 * explicit: out = floor((in + before + after - effectiveFilter) / stride) + 1,
 * where effectiveFilter = (filter - 1) * dilation + 1.
 */
function resolvePadding(op: string, pad: PaddingType, inHeight: number, inWidth: number, w: Window): ResolvedPadding {
  const effH = (w.filterHeight - 1) * w.dilationHeight + 1;
  const effW = (w.filterWidth - 1) * w.dilationWidth + 1;
  let before: [number, number], after: [number, number];
  if (pad === 'same') {
    const outHeight = Math.ceil(inHeight / w.strideHeight), outWidth = Math.ceil(inWidth / w.strideWidth);
    const totalH = Math.max((outHeight - 1) * w.strideHeight + effH - inHeight, 0);
    const totalW = Math.max((outWidth - 1) * w.strideWidth + effW - inWidth, 0);
    const padTop = Math.floor(totalH / 2), padLeft = Math.floor(totalW / 2);
    return { outHeight, outWidth, padTop, padBottom: totalH - padTop, padLeft, padRight: totalW - padLeft };
  } else if (pad === 'valid') {
    before = [0, 0]; after = [0, 0];
  } else if (typeof pad === 'number') {
    if (!Number.isInteger(pad) || pad < 0) throw new Error(`${op}: numeric padding must be a non-negative integer, got ${pad}`);
    before = [pad, pad]; after = [pad, pad];
  } else if (isExplicitPadding(pad)) {
    const [[nb, na], [t, b], [l, r], [cb, ca]] = pad;
    if (nb !== 0 || na !== 0 || cb !== 0 || ca !== 0) {
      throw new Error(`${op}: explicit padding must not pad the batch or channel axes, got ${JSON.stringify(pad)}`);
    }
    if (![t, b, l, r].every((v) => Number.isInteger(v) && v >= 0)) {
      throw new Error(`${op}: explicit padding must be non-negative integers, got ${JSON.stringify(pad)}`);
    }
    before = [t, l]; after = [b, r];
  } else {
    throw new Error(`${op}: padding must be 'valid', 'same', a non-negative integer or [[0,0],[top,bottom],[left,right],[0,0]], got ${typeof pad === 'string' ? `'${pad}'` : JSON.stringify(pad)}`);
  }
  const spanH = inHeight + before[0] + after[0], spanW = inWidth + before[1] + after[1];
  if (spanH < effH || spanW < effW) {
    const what = w.dilationHeight > 1 || w.dilationWidth > 1 ? `${effH}x${effW} window (a ${w.filterHeight}x${w.filterWidth} filter with dilations [${w.dilationHeight},${w.dilationWidth}])` : `${effH}x${effW} window`;
    const padded = pad === 'valid' ? `the ${inHeight}x${inWidth} input with 'valid' padding` : `the ${spanH}x${spanW} padded input`;
    throw new Error(`${op}: the output would be empty: the ${what} does not fit in ${padded}`);
  }
  return {
    outHeight: Math.floor((spanH - effH) / w.strideHeight) + 1,
    outWidth: Math.floor((spanW - effW) / w.strideWidth) + 1,
    padTop: before[0], padBottom: after[0], padLeft: before[1], padRight: after[1],
  };
}

/** conv2d's padding in the per-axis terms of the grouped path: explicit NHWC padding becomes [[top, bottom], [left, right]]. */
function groupedPadding(op: string, pad: PaddingType): ConvPadding | readonly (readonly [number, number])[] {
  if (pad === 'valid' || pad === 'same' || typeof pad === 'number') return pad;
  if (isExplicitPadding(pad)) {
    const [[nb, na], hw0, hw1, [cb, ca]] = pad;
    if (nb !== 0 || na !== 0 || cb !== 0 || ca !== 0) throw new Error(`${op}: explicit padding must not pad the batch or channel axes, got ${JSON.stringify(pad)}`);
    return [hw0, hw1];
  }
  throw new Error(`${op}: padding must be 'valid', 'same', a non-negative integer or [[0,0],[top,bottom],[left,right],[0,0]], got ${typeof pad === 'string' ? `'${pad}'` : JSON.stringify(pad)}`);
}

function isExplicitPadding(pad: unknown): pad is ExplicitPadding {
  return Array.isArray(pad) && pad.length === 4 &&
    pad.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number'));
}

/** A number or [height, width] of positive integers. */
function positivePair(op: string, name: string, v: number | readonly [number, number]): [number, number] {
  const pair: readonly number[] = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${op}: ${name} must be a positive integer or a pair [height, width] of them, got ${JSON.stringify(v)}`);
  }
  return [pair[0]!, pair[1]!];
}

/** int32 inputs are cast to float32 (as tfjs does for conv and pooling); the kernels are float32 only. */
function asFloat(t: Tensor): Tensor {
  return t.dtype === 'float32' ? t : cast(t, 'float32');
}

function floatValues(t: Tensor): Float32Array {
  return t.values instanceof Float32Array ? t.values : Float32Array.from(t.values);
}

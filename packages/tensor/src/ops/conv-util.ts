/**
 * @internal Shared argument checking and geometry for the convolution and pooling ops of `conv-nd.ts` and
 * `pool.ts` (not part of the package's exports).
 */
import type { Tensor } from '../tensor';
import { cast } from './elementwise';

/** int32 inputs are cast to float32 (as tfjs does for conv and pooling); the kernels are float32 only. */
export function asFloat(t: Tensor): Tensor {
  return t.dtype === 'float32' ? t : cast(t, 'float32');
}

export function floatValues(t: Tensor): Float32Array {
  return t.values instanceof Float32Array ? t.values : Float32Array.from(t.values);
}

/** A number or an n-tuple of positive integers (strides, dilations, window sizes), as an n-tuple. */
export function positiveTuple(op: string, name: string, v: number | readonly number[], n: number, axes: string): number[] {
  const t: readonly number[] = typeof v === 'number' ? Array<number>(n).fill(v) : v;
  if (!Array.isArray(t) || t.length !== n || !t.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${op}: ${name} must be a positive integer${n > 1 ? ` or ${n} of them [${axes}]` : ''}, got ${JSON.stringify(v)}`);
  }
  return [...t];
}

/**
 * Padding of the convolution and pooling ops: 'valid' (none), 'same' (output = ceil(input / stride), the odd
 * extra cell after, as TensorFlow), or a non-negative integer of zeros on both sides of every spatial axis.
 * The 1-D ops also take 'causal' (Keras: dilation * (kernel - 1) zeros before, none after).
 */
export type ConvPadding = 'valid' | 'same' | number;

export interface AxisGeometry {
  out: number;
  before: number;
}

/** Output size and padding before the input along one spatial axis, as TensorFlow and Keras compute them. */
export function resolveAxis(
  op: string, axis: string, pad: ConvPadding | 'causal' | readonly [number, number], inSize: number, filter: number, stride: number,
  dilation: number, causalAllowed = false,
): AxisGeometry {
  const eff = (filter - 1) * dilation + 1;
  if (pad === 'same') {
    const out = Math.ceil(inSize / stride);
    const total = Math.max((out - 1) * stride + eff - inSize, 0);
    return { out, before: Math.floor(total / 2) };
  }
  let before: number, after: number;
  if (pad === 'valid') {
    before = 0; after = 0;
  } else if (pad === 'causal' && causalAllowed) {
    before = eff - 1; after = 0;
  } else if (typeof pad === 'number' && Number.isInteger(pad) && pad >= 0) {
    before = pad; after = pad;
  } else if (Array.isArray(pad) && pad.length === 2 && pad.every((p) => Number.isInteger(p) && p >= 0)) {
    [before, after] = pad as [number, number];
  } else {
    throw new Error(`${op}: padding must be 'valid', 'same'${causalAllowed ? ", 'causal'" : ''} or a non-negative integer, got ${typeof pad === 'string' ? `'${pad}'` : JSON.stringify(pad)}`);
  }
  const span = inSize + before + after;
  if (span < eff || inSize < 1) {
    const dil = dilation > 1 ? ` (a size-${filter} filter with dilation ${dilation})` : '';
    throw new Error(`${op}: the output would be empty: the ${axis} window of ${eff}${dil} does not fit in the ${axis} of ${inSize}${before + after > 0 ? ` padded to ${span}` : ` with '${String(pad)}' padding`}`);
  }
  return { out: Math.floor((span - eff) / stride) + 1, before };
}

/**
 * One spatial axis of a transposed convolution with Keras 3's semantics: the output length is
 * `(in - 1) * stride + kernel` minus padding plus `outputPadding` (keras `compute_conv_transpose_output_shape`),
 * with the padding that Keras' JAX backend (`compute_conv_transpose_padding_args_for_jax`) applies. Returned
 * as the geometry of the forward convolution whose input gradient the transposed convolution is: `out` is the
 * transposed conv's output length and `before` that forward convolution's padding.
 */
export function resolveTransposeAxis(
  op: string, axis: string, pad: 'valid' | 'same', inSize: number, filter: number, stride: number, dilation: number,
  outputPadding: number | null,
): AxisGeometry {
  const eff = (filter - 1) * dilation + 1;
  let left: number, right: number;
  if (pad === 'valid') {
    const extra = outputPadding ?? Math.max(eff, stride) - eff;
    left = eff - 1;
    right = eff - 1 + extra;
  } else if (pad === 'same') {
    const len = outputPadding === null ? stride + eff - 2 : eff + (eff % 2) - 2 + outputPadding;
    left = Math.min(Math.floor(len / 2) + (len % 2), eff - 1);
    right = len - left;
  } else {
    throw new Error(`${op}: padding must be 'valid' or 'same', got ${typeof pad === 'string' ? `'${pad}'` : JSON.stringify(pad)}`);
  }
  const out = (inSize - 1) * stride + left + right - eff + 2;
  if (out < 1 || inSize < 1) {
    throw new Error(`${op}: the output would be empty along the ${axis} (input ${inSize}, kernel ${filter}, stride ${stride}, padding '${pad}', outputPadding ${String(outputPadding)})`);
  }
  return { out, before: eff - 1 - left };
}

/** outputPadding as an n-tuple (or all null), each non-negative and smaller than its stride. */
export function outputPaddingTuple(op: string, v: number | readonly number[] | null | undefined, strides: readonly number[], axes: string): (number | null)[] {
  const n = strides.length;
  if (v === null || v === undefined) return Array<null>(n).fill(null);
  const t: readonly number[] = typeof v === 'number' ? Array<number>(n).fill(v) : v;
  if (!Array.isArray(t) || t.length !== n || !t.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new Error(`${op}: outputPadding must be null, a non-negative integer${n > 1 ? ` or ${n} of them [${axes}]` : ''}, got ${JSON.stringify(v)}`);
  }
  t.forEach((p, i) => {
    if (p >= strides[i]!) {
      throw new Error(`${op}: outputPadding must be smaller than the stride on each axis, got outputPadding ${JSON.stringify(v)} with strides [${strides.join(',')}]`);
    }
  });
  return [...t];
}

/** Keras and TensorFlow refuse strides > 1 together with dilations > 1 in forward convolutions. */
export function checkStridesDilations(op: string, strides: readonly number[], dilations: readonly number[]): void {
  if (strides.some((s) => s > 1) && dilations.some((d) => d > 1)) {
    throw new Error(`${op}: strides > 1 together with dilations > 1 is not supported (got strides [${strides.join(',')}] and dilations [${dilations.join(',')}]); one of them must be 1, as in TensorFlow and Keras`);
  }
}

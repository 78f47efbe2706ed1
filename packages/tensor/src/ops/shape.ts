/** Shape and data-movement ops: reshape, transpose, concat, slice, gather, pad, tile, ... */
import { Tensor, Variable } from '../tensor';
import type { TensorLike } from '../tensor';
import type { Shape } from '../shape';
import { formatShape, normalizeAxis, shapesEqual, sizeOf } from '../shape';
import { kernels } from '../kernels';
import { record } from '../autograd';
import { toTensor } from './creation';
import { sumTo } from './sum-to';
import { allocFloat32 } from '../alloc';

/** Same values, new shape; one dimension may be -1 (inferred). Shares storage unless `x` is a Variable. */
export function reshape(x: TensorLike, shape: Shape): Tensor {
  const t = toTensor(x);
  const target = [...shape];
  const unknown = target.indexOf(-1);
  if (unknown !== -1) {
    if (target.indexOf(-1, unknown + 1) !== -1) throw new Error(`reshape: only one dimension can be -1, got ${formatShape(shape)}`);
    const known = target.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
    if (known === 0 || t.size % known !== 0) {
      throw new Error(`reshape: cannot reshape tensor of shape ${formatShape(t.shape)} (${t.size} values) to ${formatShape(shape)}`);
    }
    target[unknown] = t.size / known;
  }
  if (target.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(target) !== t.size) {
    throw new Error(`reshape: cannot reshape tensor of shape ${formatShape(t.shape)} (${t.size} values) to ${formatShape(shape)} (${sizeOf(target)} values)`);
  }
  // A Variable's buffer changes in place on assign; a reshaped view of it must not change with it.
  const values = t instanceof Variable ? t.values.slice() : t.values;
  return record(new Tensor(values, target, t.dtype), 'reshape', [t], (dy) => [new Tensor(dy.values, t.shape)]);
}

/** Flattens to one dimension. */
export function flatten(x: TensorLike): Tensor {
  const t = toTensor(x);
  return reshape(t, [t.size]);
}

/** Inserts an axis of size 1 at `axis` (negative counts from the end of the result). */
export function expandDims(x: TensorLike, axis = 0): Tensor {
  const t = toTensor(x);
  const ax = normalizeAxis('expandDims', axis, t.rank + 1);
  const shape = [...t.shape];
  shape.splice(ax, 0, 1);
  return reshape(t, shape);
}

/** Removes size-1 axes (all of them, or those listed, which must have size 1). */
export function squeeze(x: TensorLike, axis?: readonly number[]): Tensor {
  const t = toTensor(x);
  const axes = axis?.map((a) => normalizeAxis('squeeze', a, t.rank));
  for (const a of axes ?? []) {
    if (t.shape[a] !== 1) throw new Error(`squeeze: axis ${a} has size ${t.shape[a]}, expected 1 (shape ${formatShape(t.shape)})`);
  }
  return reshape(t, t.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)));
}

/** Permutes axes; the default reverses them (a matrix transpose for rank 2). */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const t = toTensor(x);
  const p = perm ?? t.shape.map((_, i) => t.rank - 1 - i);
  if (p.length !== t.rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new Error(`transpose: perm [${p.join(',')}] is not a permutation of the ${t.rank} axes of shape ${formatShape(t.shape)}`);
  }
  const shape = p.map((i) => t.shape[i]!);
  const out = t.dtype === 'int32' ? new Int32Array(t.size) : allocFloat32(t.size);
  kernels().transpose(t.values, t.shape, p, out);
  const inverse = new Array<number>(p.length);
  p.forEach((axis, i) => { inverse[axis] = i; });
  return record(new Tensor(out, shape, t.dtype), 'transpose', [t], (dy) => [transpose(dy, inverse)]);
}

/** Extracts a block: `begin` per axis and `size` per axis (-1 = to the end), tfjs signature. */
export function slice(x: TensorLike, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
  const t = toTensor(x);
  const beginLength = typeof begin === 'number' ? 1 : begin.length;
  const sizeLength = size === undefined ? 0 : typeof size === 'number' ? 1 : size.length;
  if (beginLength > t.rank || sizeLength > t.rank) {
    throw new Error(`slice: begin [${begin}] and size [${size ?? ''}] have more entries than the rank ${t.rank} of shape ${formatShape(t.shape)}`);
  }
  const b = typeof begin === 'number' ? [begin, ...new Array(Math.max(t.rank - 1, 0)).fill(0)] : [...begin];
  while (b.length < t.rank) b.push(0);
  const s0 = size === undefined ? [] : typeof size === 'number' ? [size] : [...size];
  const s = t.shape.map((d, i) => (s0[i] === undefined || s0[i] === -1 ? d - b[i]! : s0[i]!));
  for (let i = 0; i < t.rank; i++) {
    if (b[i]! < 0 || s[i]! < 0 || b[i]! + s[i]! > t.shape[i]!) {
      throw new Error(`slice: begin [${b.join(',')}] and size [${s.join(',')}] fall outside shape ${formatShape(t.shape)} on axis ${i}`);
    }
  }
  const out = t.dtype === 'int32' ? new Int32Array(sizeOf(s)) : allocFloat32(sizeOf(s));
  kernels().slice(t.values, t.shape, b, s, out);
  return record(new Tensor(out, s, t.dtype), 'slice', [t], (dy) => {
    const dx = allocFloat32(t.size);
    kernels().sliceGradAccumulate(dy.values, t.shape, b, s, dx);
    return [new Tensor(dx, t.shape)];
  });
}

/** Joins tensors along an existing axis. */
export function concat(tensors: readonly TensorLike[], axis = 0): Tensor {
  if (tensors.length === 0) throw new Error('concat: expected at least one tensor');
  const ts = tensors.map(toTensor);
  const first = ts[0]!;
  const ax = normalizeAxis('concat', axis, first.rank);
  for (const t of ts) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new Error(`concat: shapes ${formatShape(first.shape)} and ${formatShape(t.shape)} differ outside axis ${ax}`);
    }
  }
  const shape = [...first.shape];
  shape[ax] = ts.reduce((p, t) => p + t.shape[ax]!, 0);
  const outer = first.shape.slice(0, ax).reduce((p, d) => p * d, 1);
  const inner = first.shape.slice(ax + 1).reduce((p, d) => p * d, 1);
  const rowLen = shape[ax]! * inner;
  const out = first.dtype === 'int32' && ts.every((t) => t.dtype === 'int32') ? new Int32Array(sizeOf(shape)) : allocFloat32(sizeOf(shape));
  let offset = 0;
  for (const t of ts) {
    const chunk = t.shape[ax]! * inner;
    for (let o = 0; o < outer; o++) out.set(t.values.subarray(o * chunk, (o + 1) * chunk), o * rowLen + offset);
    offset += chunk;
  }
  return record(new Tensor(out, shape), 'concat', ts, (dy) => {
    let begin = 0;
    return ts.map((t) => {
      const b = new Array(shape.length).fill(0);
      b[ax] = begin;
      begin += t.shape[ax]!;
      return t.requiresGrad ? slice(dy, b, t.shape) : null;
    });
  });
}

/** Joins tensors of equal shape along a new axis. */
export function stack(tensors: readonly TensorLike[], axis = 0): Tensor {
  if (tensors.length === 0) throw new Error('stack: expected at least one tensor');
  const ts = tensors.map(toTensor);
  for (const t of ts) {
    if (!shapesEqual(t.shape, ts[0]!.shape)) throw new Error(`stack: shapes ${formatShape(ts[0]!.shape)} and ${formatShape(t.shape)} differ`);
  }
  const ax = normalizeAxis('stack', axis, ts[0]!.rank + 1);
  return concat(ts.map((t) => expandDims(t, ax)), ax);
}

/** Splits along `axis` into tensors of rank - 1. */
export function unstack(x: TensorLike, axis = 0): Tensor[] {
  const t = toTensor(x);
  const ax = normalizeAxis('unstack', axis, t.rank);
  return split(t, t.shape[ax]!, ax).map((p) => squeeze(p, [ax]));
}

/** Splits into `n` equal parts, or parts of the given sizes (one may be -1), along `axis`. */
export function split(x: TensorLike, numOrSizeSplits: number | readonly number[], axis = 0): Tensor[] {
  const t = toTensor(x);
  const ax = normalizeAxis('split', axis, t.rank);
  const dim = t.shape[ax]!;
  let sizes: number[];
  if (typeof numOrSizeSplits === 'number') {
    if (!Number.isInteger(numOrSizeSplits) || numOrSizeSplits <= 0 || dim % numOrSizeSplits !== 0) {
      throw new Error(`split: axis ${ax} of size ${dim} cannot be split into ${numOrSizeSplits} equal parts`);
    }
    sizes = new Array(numOrSizeSplits).fill(dim / numOrSizeSplits);
  } else {
    sizes = [...numOrSizeSplits];
    const free = sizes.indexOf(-1);
    if (free !== -1) sizes[free] = dim - sizes.reduce((p, s, i) => (i === free ? p : p + s), 0);
    if (sizes.reduce((p, s) => p + s, 0) !== dim || sizes.some((s) => s < 0)) {
      throw new Error(`split: sizes [${numOrSizeSplits.join(',')}] do not add up to ${dim}, the size of axis ${ax}`);
    }
  }
  let begin = 0;
  return sizes.map((s) => {
    const b = new Array(t.rank).fill(0);
    b[ax] = begin;
    begin += s;
    const size = [...t.shape];
    size[ax] = s;
    return slice(t, b, size);
  });
}

/** Picks slices along `axis` by integer indices (tf.gather). */
export function gather(x: TensorLike, indices: TensorLike, axis = 0): Tensor {
  const t = toTensor(x);
  const idx = toTensor(indices);
  const ax = normalizeAxis('gather', axis, t.rank);
  const axisLen = t.shape[ax]!;
  for (let i = 0; i < idx.size; i++) {
    const v = idx.values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= axisLen) {
      throw new Error(`gather: index ${v} is out of range for axis ${ax} of size ${axisLen}`);
    }
  }
  const outer = t.shape.slice(0, ax).reduce((p, d) => p * d, 1);
  const inner = t.shape.slice(ax + 1).reduce((p, d) => p * d, 1);
  const shape = [...t.shape.slice(0, ax), ...idx.shape, ...t.shape.slice(ax + 1)];
  const out = t.dtype === 'int32' ? new Int32Array(sizeOf(shape)) : allocFloat32(sizeOf(shape));
  kernels().gather(t.values, outer, axisLen, inner, idx.values, out);
  return record(new Tensor(out, shape, t.dtype), 'gather', [t], (dy) => {
    const dx = allocFloat32(t.size);
    kernels().gatherGrad(dy.values, outer, axisLen, inner, idx.values, dx);
    return [new Tensor(dx, t.shape)];
  });
}

/** One-hot encodes integer `indices` into a new last axis of size `depth`. */
export function oneHot(indices: TensorLike, depth: number, onValue = 1, offValue = 0): Tensor {
  const idx = toTensor(indices);
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`oneHot: depth must be a positive integer, got ${depth}`);
  const out = allocFloat32(idx.size * depth);
  if (offValue !== 0) out.fill(offValue);
  for (let i = 0; i < idx.size; i++) {
    const v = idx.values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= depth) {
      throw new Error(`oneHot: index ${v} at position ${i} is out of range [0, ${depth})`);
    }
    out[i * depth + v] = onValue;
  }
  return new Tensor(out, [...idx.shape, depth]);
}

/** Pads with a constant: `paddings[i] = [before, after]` for axis i. */
export function pad(x: TensorLike, paddings: readonly (readonly [number, number])[], constantValue = 0): Tensor {
  const t = toTensor(x);
  if (paddings.length !== t.rank) throw new Error(`pad: expected ${t.rank} [before, after] pairs for shape ${formatShape(t.shape)}, got ${paddings.length}`);
  for (const [b, a] of paddings) {
    if (!Number.isInteger(b) || !Number.isInteger(a) || b < 0 || a < 0) throw new Error(`pad: paddings must be non-negative integers, got [${b}, ${a}]`);
  }
  const shape = t.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
  const out = t.dtype === 'int32' ? new Int32Array(sizeOf(shape)) : allocFloat32(sizeOf(shape));
  if (constantValue !== 0) out.fill(constantValue);
  const begin = paddings.map((p) => p[0]);
  kernels().sliceAssign(t.values, shape, begin, t.shape, out);
  return record(new Tensor(out, shape, t.dtype), 'pad', [t], (dy) => [slice(dy, begin, t.shape)]);
}

/** Repeats the tensor `reps[i]` times along axis i. */
export function tile(x: TensorLike, reps: readonly number[]): Tensor {
  const t = toTensor(x);
  if (reps.length !== t.rank) throw new Error(`tile: expected ${t.rank} repetitions for shape ${formatShape(t.shape)}, got ${reps.length}`);
  if (reps.some((r) => !Number.isInteger(r) || r < 0)) throw new Error(`tile: repetitions must be non-negative integers, got [${reps.join(',')}]`);
  // tile = broadcast of an interleaved reshape: [r0, d0, r1, d1, ...] then merge pairs.
  const expandedShape: number[] = [];
  const viewShape: number[] = [];
  t.shape.forEach((d, i) => { expandedShape.push(reps[i]!, d); viewShape.push(1, d); });
  const expanded = broadcastTo(reshape(t, viewShape), expandedShape);
  return reshape(expanded, t.shape.map((d, i) => d * reps[i]!));
}

/** Broadcasts to `shape` by NumPy rules, materializing the values. */
export function broadcastTo(x: TensorLike, shape: Shape): Tensor {
  const t = toTensor(x);
  const lead = shape.length - t.rank;
  if (lead < 0 || t.shape.some((d, i) => d !== 1 && d !== shape[lead + i])) {
    throw new Error(`broadcastTo: shape ${formatShape(t.shape)} cannot be broadcast to ${formatShape(shape)}`);
  }
  if (shapesEqual(t.shape, shape)) return t;
  const out = allocFloat32(sizeOf(shape));
  kernels().broadcastTo(t.values, t.shape, out, shape);
  return record(new Tensor(out, shape), 'broadcastTo', [t], (dy) => [sumTo(dy, t.shape)]);
}

/**
 * Repeats each element `repeats` times along `axis` (NumPy's and Keras' `repeat` with an integer count):
 * [a, b] -> [a, a, b, b]. Without an axis the input is flattened first. UpSampling1D/2D/3D with nearest
 * interpolation is this on each spatial axis. The gradient sums the copies.
 */
export function repeat(x: TensorLike, repeats: number, axis?: number): Tensor {
  const t = toTensor(x);
  if (!Number.isInteger(repeats) || repeats < 0) throw new Error(`repeat: repeats must be a non-negative integer, got ${JSON.stringify(repeats)}`);
  if (axis === undefined) return repeat(reshape(t, [t.size]), repeats, 0);
  const ax = normalizeAxis('repeat', axis, t.rank);
  const s = t.shape;
  const expanded = reshape(t, [...s.slice(0, ax + 1), 1, ...s.slice(ax + 1)]);
  const copies = broadcastTo(expanded, [...s.slice(0, ax + 1), repeats, ...s.slice(ax + 1)]);
  return reshape(copies, [...s.slice(0, ax), s[ax]! * repeats, ...s.slice(ax + 1)]);
}

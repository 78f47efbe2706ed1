import { Tensor, Variable } from '../tensor';
import type { DType, DataArray, NestedArray, TensorLike, VariableOptions } from '../tensor';
import type { Shape } from '../shape';
import { assertValidShape, formatShape, sizeOf } from '../shape';
import { rngFor } from '../random';
import { setToTensor } from '../autograd';
import { allocFloat32 } from '../alloc';

function allocate(size: number, dtype: DType): DataArray {
  return dtype === 'int32' ? new Int32Array(size) : allocFloat32(size);
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0]!;
  }
  return shape;
}

function flattenInto(values: NestedArray, shape: readonly number[], axis: number, out: DataArray, offset: { i: number }, path: number[]): void {
  if (axis === shape.length) {
    if (Array.isArray(values)) throw new Error(`tensor: ragged array: element at [${path.join(',')}] is an array, expected a number`);
    const v = values as number | boolean;
    if (typeof v !== 'number' && typeof v !== 'boolean') throw new Error(`tensor: element at [${path.join(',')}] is ${typeof v}, expected a number`);
    out[offset.i++] = Number(v);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[axis]) {
    const got = Array.isArray(values) ? `length ${values.length}` : 'a number';
    throw new Error(`tensor: ragged array: element at [${path.join(',')}] has ${got}, expected length ${shape[axis]} (inferred shape ${formatShape(shape)})`);
  }
  for (let i = 0; i < values.length; i++) {
    path.push(i);
    flattenInto(values[i]!, shape, axis + 1, out, offset, path);
    path.pop();
  }
}

/**
 * Creates a tensor from nested arrays, a flat array or a typed array. With `shape`, flat values are
 * reshaped; nested values must match it. Typed arrays are copied, so later changes to them do not leak in.
 */
export function tensor(values: TensorLike, shape?: Shape, dtype?: DType): Tensor {
  if (values instanceof Tensor) {
    if (shape && sizeOf(shape) !== values.size) throw new Error(`tensor: cannot view ${values.size} values as shape ${formatShape(shape)}`);
    const data = allocate(values.size, dtype ?? values.dtype);
    data.set(values.values);
    return new Tensor(data, shape ?? values.shape);
  }
  const type: DType = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  if (shape) assertValidShape('tensor', shape);
  if (values instanceof Float32Array || values instanceof Int32Array) {
    const data = allocate(values.length, type);
    data.set(values);
    return new Tensor(data, shape ?? [values.length], type);
  }
  const inferred = inferShape(values);
  const data = allocate(sizeOf(inferred), type);
  flattenInto(values, inferred, 0, data, { i: 0 }, []);
  if (shape) {
    if (sizeOf(shape) !== data.length) {
      throw new Error(`tensor: ${data.length} values cannot fill shape ${formatShape(shape)} (needs ${sizeOf(shape)})`);
    }
    // As in tfjs, nested input must agree with `shape` on every axis but its last, which may hold the
    // flattened remaining axes: [[1, 2, 3, 4]] fits [1, 2, 2], but [[1, 2], [3, 4]] does not fit [4].
    const last = inferred.length - 1;
    for (let i = 0; i < last; i++) {
      if (inferred[i] !== shape[i]) {
        throw new Error(`tensor: nested array of shape ${formatShape(inferred)} does not match the given shape ${formatShape(shape)}`);
      }
    }
    return new Tensor(data, shape, type);
  }
  return new Tensor(data, inferred, type);
}

/** `x` itself if it is a tensor, else `tensor(x)`: how every op accepts numbers, nested arrays and typed arrays. */
export function toTensor(x: TensorLike): Tensor {
  return x instanceof Tensor ? x : tensor(x);
}
setToTensor(toTensor);

/** A rank-0 tensor holding `value`. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  const data = allocate(1, dtype);
  data[0] = value;
  return new Tensor(data, [], dtype);
}

/** A tensor of `shape` with every element `value`. */
export function fill(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  assertValidShape('fill', shape);
  const data = allocate(sizeOf(shape), dtype);
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape, dtype);
}

/** A tensor of `shape` filled with 0. */
export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor { return fill(shape, 0, dtype); }
/** A tensor of `shape` filled with 1. */
export function ones(shape: Shape, dtype: DType = 'float32'): Tensor { return fill(shape, 1, dtype); }
/** Zeros of the shape and dtype of `x`. */
export function zerosLike(x: Tensor): Tensor { return fill(x.shape, 0, x.dtype); }
/** Ones of the shape and dtype of `x`. */
export function onesLike(x: Tensor): Tensor { return fill(x.shape, 1, x.dtype); }

/** [start, stop) in steps of `step`, like tf.range / np.arange. */
export function range(start: number, stop?: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (stop === undefined) { stop = start; start = 0; }
  if (step === 0) throw new Error('range: step must not be 0');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(n, dtype);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], dtype);
}

/** The identity matrix, or a rectangular one with ones on the main diagonal. */
export function eye(rows: number, columns = rows): Tensor {
  assertValidShape('eye', [rows, columns]);
  const t = zeros([rows, columns]);
  for (let i = 0; i < Math.min(rows, columns); i++) t.values[i * columns + i] = 1;
  return t;
}

/** The trailing options of the random ops: tfjs' positional `(dtype?, seed?)`, or `{ dtype?, seed? }`. */
export interface RandomOptions { dtype?: DType; seed?: number }

function randomArgs(op: string, shape: Shape, dtypeOrOptions: DType | RandomOptions | undefined, seed: number | undefined): { dtype: DType; seed: number | undefined } {
  assertValidShape(op, shape);
  const options = typeof dtypeOrOptions === 'object' ? dtypeOrOptions : { dtype: dtypeOrOptions, seed };
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`${op}: dtype must be 'float32' or 'int32', got '${String(dtype)}'`);
  if (options.seed !== undefined && !Number.isFinite(options.seed)) throw new Error(`${op}: seed must be a finite number, got ${options.seed}`);
  return { dtype, seed: options.seed };
}

/**
 * Uniform values in [minval, maxval) (tfjs: `randomUniform(shape, minval?, maxval?, dtype?, seed?)`).
 * Without a seed the values come from the global stream that `setSeed` resets; with one they are fixed and
 * leave the global stream untouched. For int32 the values are floored (integers in [minval, maxval)).
 */
export function randomUniform(shape: Shape, minval = 0, maxval = 1, dtypeOrOptions?: DType | RandomOptions, seed?: number): Tensor {
  const opts = randomArgs('randomUniform', shape, dtypeOrOptions, seed);
  const rng = rngFor(opts.seed);
  const data = allocate(sizeOf(shape), opts.dtype);
  const span = maxval - minval;
  const floor = opts.dtype === 'int32';
  for (let i = 0; i < data.length; i++) {
    const v = minval + span * rng.uniform();
    data[i] = floor ? Math.floor(v) : v;
  }
  return new Tensor(data, shape, opts.dtype);
}

/** Normal values (Box-Muller over the seeded stream); tfjs: `randomNormal(shape, mean?, stdDev?, dtype?, seed?)`. */
export function randomNormal(shape: Shape, mean = 0, stddev = 1, dtypeOrOptions?: DType | RandomOptions, seed?: number): Tensor {
  const opts = randomArgs('randomNormal', shape, dtypeOrOptions, seed);
  const rng = rngFor(opts.seed);
  const data = allocate(sizeOf(shape), opts.dtype);
  const round = opts.dtype === 'int32';
  for (let i = 0; i < data.length; i++) {
    const v = mean + stddev * rng.normal();
    data[i] = round ? Math.round(v) : v;
  }
  return new Tensor(data, shape, opts.dtype);
}

/**
 * Normal values redrawn until within two standard deviations of the mean (as tf.truncatedNormal and
 * Keras' TruncatedNormal); tfjs: `truncatedNormal(shape, mean?, stdDev?, dtype?, seed?)`.
 */
export function truncatedNormal(shape: Shape, mean = 0, stddev = 1, dtypeOrOptions?: DType | RandomOptions, seed?: number): Tensor {
  const opts = randomArgs('truncatedNormal', shape, dtypeOrOptions, seed);
  const rng = rngFor(opts.seed);
  const data = allocate(sizeOf(shape), opts.dtype);
  const round = opts.dtype === 'int32';
  for (let i = 0; i < data.length; i++) {
    let z = rng.normal();
    while (z < -2 || z > 2) z = rng.normal();
    const v = mean + stddev * z;
    data[i] = round ? Math.round(v) : v;
  }
  return new Tensor(data, shape, opts.dtype);
}

/** A mutable, trainable (by default) tensor initialized with a copy of `initial`. */
export function variable(initial: TensorLike, options: VariableOptions = {}): Variable {
  return new Variable(toTensor(initial), options);
}

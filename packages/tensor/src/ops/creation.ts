import { Tensor, Variable } from '../tensor';
import type { DType, DataArray, NestedArray, TensorLike } from '../tensor';
import type { Shape } from '../shape';
import { assertValidShape, formatShape, sizeOf } from '../shape';
import { rngFor } from '../random';
import { setToTensor } from '../autograd';

function allocate(size: number, dtype: DType): DataArray {
  return dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
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
    return new Tensor(values.values.slice(), shape ?? values.shape, dtype ?? values.dtype);
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
    return new Tensor(data, shape, type);
  }
  return new Tensor(data, inferred, type);
}

export function toTensor(x: TensorLike): Tensor {
  return x instanceof Tensor ? x : tensor(x);
}
setToTensor(toTensor);

export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  const data = allocate(1, dtype);
  data[0] = value;
  return new Tensor(data, [], dtype);
}

export function fill(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  assertValidShape('fill', shape);
  const data = allocate(sizeOf(shape), dtype);
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape, dtype);
}

export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor { return fill(shape, 0, dtype); }
export function ones(shape: Shape, dtype: DType = 'float32'): Tensor { return fill(shape, 1, dtype); }
export function zerosLike(x: Tensor): Tensor { return fill(x.shape, 0, x.dtype); }
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

export function eye(rows: number, columns = rows): Tensor {
  const t = zeros([rows, columns]);
  for (let i = 0; i < Math.min(rows, columns); i++) t.values[i * columns + i] = 1;
  return t;
}

export interface RandomOptions { seed?: number }

export function randomUniform(shape: Shape, minval = 0, maxval = 1, options: RandomOptions = {}): Tensor {
  assertValidShape('randomUniform', shape);
  const rng = rngFor(options.seed);
  const data = new Float32Array(sizeOf(shape));
  const span = maxval - minval;
  for (let i = 0; i < data.length; i++) data[i] = minval + span * rng.uniform();
  return new Tensor(data, shape);
}

export function randomNormal(shape: Shape, mean = 0, stddev = 1, options: RandomOptions = {}): Tensor {
  assertValidShape('randomNormal', shape);
  const rng = rngFor(options.seed);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = mean + stddev * rng.normal();
  return new Tensor(data, shape);
}

/** Normal values redrawn until within two standard deviations of the mean (as tf.truncatedNormal). */
export function truncatedNormal(shape: Shape, mean = 0, stddev = 1, options: RandomOptions = {}): Tensor {
  assertValidShape('truncatedNormal', shape);
  const rng = rngFor(options.seed);
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) {
    let z = rng.normal();
    while (z < -2 || z > 2) z = rng.normal();
    data[i] = mean + stddev * z;
  }
  return new Tensor(data, shape);
}

export function variable(initial: TensorLike, options: { name?: string; trainable?: boolean } = {}): Variable {
  return new Variable(toTensor(initial), options);
}

/**
 * Turning user data into batches. Batches of unshuffled data are zero-copy views of the input's storage
 * (subarray), so slicing costs nothing; shuffled batches gather rows into a fresh buffer.
 */
import { Tensor, tensor, formatShape } from '@minikeras/tensor';
import type { TensorLike } from '@minikeras/tensor';

export interface Batch {
  x: Tensor;
  y: Tensor;
  sampleWeight?: Tensor | undefined;
}

/** What `fit`/`evaluate` accept as a dataset: an iterable or async iterable of `{ x, y }` batches. */
export type BatchSource = Iterable<{ x: ModelData; y: ModelData; sampleWeight?: TensorLike }> | AsyncIterable<{ x: ModelData; y: ModelData; sampleWeight?: TensorLike }>;

/** Data for a model's inputs or targets: one array, a list by position, or a record by input/output name. */
export type ModelData = NumericData | readonly NumericData[] | { readonly [name: string]: NumericData };

/** One array of numbers: a Tensor, nested arrays, or any numeric typed array (read as float32). */
export type NumericData = TensorLike | Uint8Array | Uint8ClampedArray | Int8Array | Uint16Array | Int16Array | Uint32Array | Float64Array;

export function isBatchSource(value: unknown): value is BatchSource {
  if (value === null || typeof value !== 'object' || value instanceof Tensor || ArrayBuffer.isView(value)) return false;
  // An array is data (nested numbers) unless it holds `{ x, y }` batch objects.
  if (Array.isArray(value)) return isBatchObject(value[0]);
  return Symbol.iterator in value || Symbol.asyncIterator in value;
}

function isBatchObject(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tensor) && !ArrayBuffer.isView(v) && 'x' in v && 'y' in v;
}

export function asTensor(value: NumericData, what: string): Tensor {
  if (value instanceof Tensor) return value;
  // Any typed array of numbers (Uint8Array labels, Float64Array data...) is read as float32 values.
  const view = value as unknown as ArrayBufferView;
  if (ArrayBuffer.isView(view) && !(view instanceof Float32Array) && !(view instanceof Int32Array)) {
    if (view instanceof DataView || view instanceof BigInt64Array || view instanceof BigUint64Array) {
      throw new Error(`${what}: a ${view.constructor.name} cannot be read as numbers; pass a Float32Array, another numeric typed array, nested arrays or a Tensor`);
    }
    value = Float32Array.from(view as unknown as ArrayLike<number>);
  }
  try {
    return tensor(value as TensorLike);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

/** Throws on NaN or Infinity, naming the sample: training on them silently produces a NaN model. */
export function assertFinite(t: Tensor, what: string): void {
  const v = t.values;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (x !== x || x === Infinity || x === -Infinity) {
      const perSample = t.rank > 0 && t.shape[0]! > 0 ? v.length / t.shape[0]! : 1;
      throw new Error(`${what} contains ${x !== x ? 'NaN' : x} at sample ${Math.floor(i / perSample)} (flat index ${i}); clean or impute the data before training`);
    }
  }
}

export function sampleCount(t: Tensor, what: string): number {
  if (t.rank === 0) throw new Error(`${what} must have a batch axis, got a scalar`);
  if (t.shape[0] === 0) throw new Error(`${what} is empty (0 samples)`);
  return t.shape[0]!;
}

/** Rows [start, end) of a tensor: a view, no copy. */
export function sliceRows(t: Tensor, start: number, end: number): Tensor {
  const row = t.shape[0]! === 0 ? 0 : t.size / t.shape[0]!;
  return new Tensor(t.values.subarray(start * row, end * row), [end - start, ...t.shape.slice(1)], t.dtype);
}

/** Rows picked by `indices[start:end]`, copied into one new buffer. */
export function gatherRows(t: Tensor, indices: Int32Array, start: number, end: number): Tensor {
  const row = t.size / t.shape[0]!;
  const n = end - start;
  const out = t.dtype === 'int32' ? new Int32Array(n * row) : new Float32Array(n * row);
  const src = t.values;
  for (let i = 0; i < n; i++) {
    const from = indices[start + i]! * row;
    out.set(src.subarray(from, from + row), i * row);
  }
  return new Tensor(out, [n, ...t.shape.slice(1)], t.dtype);
}

export function checkSameCount(x: Tensor, y: Tensor, where: string, sampleWeight?: Tensor): number {
  const n = sampleCount(x, `${where}: x`);
  const m = sampleCount(y, `${where}: y`);
  if (n !== m) throw new Error(`${where}: x has ${n} samples but y has ${m}; they must have the same first dimension (x ${formatShape(x.shape)}, y ${formatShape(y.shape)})`);
  if (sampleWeight && sampleWeight.shape[0] !== n) {
    throw new Error(`${where}: sampleWeight has ${sampleWeight.shape[0]} entries but x has ${n} samples`);
  }
  return n;
}

/** The names a model's data is matched against. */
export interface ModelIO {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

function isTensorLikeLeaf(v: unknown): boolean {
  return v instanceof Tensor || ArrayBuffer.isView(v);
}

/**
 * One tensor per name from what the user passed: for one name, the data itself (or a list of one); for
 * several, a list by position or a record by name. Errors name `what` ('fit: x') and the missing name.
 */
export function toTensorList(value: unknown, names: readonly string[], what: string, kind: 'input' | 'output'): Tensor[] {
  if (value === undefined || value === null) throw new Error(`${what} is required`);
  const isRecord = typeof value === 'object' && !Array.isArray(value) && !isTensorLikeLeaf(value);
  if (names.length === 1 && !isRecord) {
    const single = Array.isArray(value) && value.length === 1 && isTensorLikeLeaf(value[0]) ? value[0] : value;
    return [asTensor(single as NumericData, what)];
  }
  if (isRecord) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!names.includes(key)) throw new Error(`${what}: the model has no ${kind} named '${key}'; its ${kind}s are ${names.join(', ')}`);
    }
    return names.map((n) => {
      if (!Object.hasOwn(record, n)) throw new Error(`${what}: no data for ${kind} '${n}' (the model's ${kind}s are ${names.join(', ')})`);
      return asTensor(record[n] as NumericData, `${what} '${n}'`);
    });
  }
  if (!Array.isArray(value) || value.length !== names.length || !value.every((v) => isTensorLikeLeaf(v) || Array.isArray(v))) {
    throw new Error(`${what}: the model has ${names.length} ${kind}s (${names.join(', ')}); pass a list of ${names.length} arrays or a record by ${kind} name`);
  }
  return value.map((v, i) => asTensor(v as NumericData, `${what} '${names[i]}'`));
}

/** The sample count shared by every tensor (and the sample weights), or an error naming the odd one. */
export function checkSameCounts(xs: readonly Tensor[], ys: readonly Tensor[], io: ModelIO, where: string, sampleWeight?: Tensor): number {
  const n = sampleCount(xs[0]!, `${where}: x${xs.length > 1 ? ` '${io.inputNames[0]}'` : ''}`);
  const check = (t: Tensor, label: string) => {
    const m = sampleCount(t, `${where}: ${label}`);
    if (m !== n) throw new Error(`${where}: x has ${n} samples but ${label} has ${m}; every input and target must have the same first dimension (shapes ${formatShape(xs[0]!.shape)} and ${formatShape(t.shape)})`);
  };
  xs.forEach((t, i) => { if (i > 0) check(t, `x '${io.inputNames[i]}'`); });
  ys.forEach((t, i) => check(t, ys.length > 1 ? `y '${io.outputNames[i]}'` : 'y'));
  if (sampleWeight && sampleWeight.shape[0] !== n) throw new Error(`${where}: sampleWeight has ${sampleWeight.shape[0]} entries but x has ${n} samples`);
  return n;
}

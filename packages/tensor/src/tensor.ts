import type { Shape } from './shape';
import { formatShape, sizeOf, stridesOf } from './shape';
import type { GradNode } from './autograd';
import * as ops from './ops';

export type DType = 'float32' | 'int32';
export type DataArray = Float32Array | Int32Array;
export type NestedArray = number | boolean | readonly NestedArray[];
export type TensorLike = Tensor | NestedArray | Float32Array | Int32Array;

let nextId = 0;

/**
 * An immutable n-dimensional array of float32 (or int32) values, row-major.
 *
 * Memory is ordinary garbage-collected typed arrays: there is no `dispose()` or `tidy()`.
 * A tensor produced while gradients are being recorded keeps a link to the op that made it;
 * that link is what `grads()` and `variableGrads()` walk backwards.
 */
export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Storage. Library code reads it directly; treat it as read-only unless this is a Variable. */
  values: DataArray;
  /** @internal The op that produced this tensor, when gradients were being recorded. */
  node: GradNode | null = null;
  /** True for trainable variables, gradient-tracked inputs, and anything computed from them. */
  requiresGrad = false;

  constructor(values: DataArray, shape: Shape, dtype?: DType) {
    const size = sizeOf(shape);
    if (values.length !== size) {
      throw new Error(`tensor: ${values.length} values do not fill shape ${formatShape(shape)} (needs ${size})`);
    }
    this.values = values;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  }

  get rank(): number { return this.shape.length; }
  get size(): number { return this.values.length; }

  /** A copy of the values (changing it never changes the tensor). */
  dataSync(): Float32Array | Int32Array {
    return this.values.slice();
  }

  /** Async twin of `dataSync`, as in tfjs (our values are always on the CPU, so it resolves at once). */
  async data(): Promise<Float32Array | Int32Array> {
    return this.dataSync();
  }

  /** The values as nested arrays (a number for a scalar). */
  arraySync(): NestedArray {
    if (this.rank === 0) return this.values[0]!;
    const strides = stridesOf(this.shape);
    const build = (axis: number, offset: number): NestedArray[] => {
      const out: NestedArray[] = [];
      const dim = this.shape[axis]!;
      for (let i = 0; i < dim; i++) {
        const o = offset + i * strides[axis]!;
        out.push(axis === this.rank - 1 ? this.values[o]! : build(axis + 1, o));
      }
      return out;
    };
    return build(0, 0);
  }

  /** The single value of a size-1 tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} values, expected 1`);
    return this.values[0]!;
  }

  toString(): string {
    return `Tensor\n  dtype: ${this.dtype}\n  rank: ${this.rank}\n  shape: ${formatShape(this.shape)}\n  values:\n    ${formatValues(this)}`;
  }

  // Method forms of the ops: one-line sugar so `x.add(y).relu()` reads like tfjs.
  add(b: TensorLike): Tensor { return ops.add(this, b); }
  sub(b: TensorLike): Tensor { return ops.sub(this, b); }
  mul(b: TensorLike): Tensor { return ops.mul(this, b); }
  div(b: TensorLike): Tensor { return ops.div(this, b); }
  pow(b: TensorLike): Tensor { return ops.pow(this, b); }
  maximum(b: TensorLike): Tensor { return ops.maximum(this, b); }
  minimum(b: TensorLike): Tensor { return ops.minimum(this, b); }
  neg(): Tensor { return ops.neg(this); }
  square(): Tensor { return ops.square(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  abs(): Tensor { return ops.abs(this); }
  relu(): Tensor { return ops.relu(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  sum(axis?: number | number[], keepDims = false): Tensor { return ops.sum(this, axis, keepDims); }
  mean(axis?: number | number[], keepDims = false): Tensor { return ops.mean(this, axis, keepDims); }
  max(axis?: number | number[], keepDims = false): Tensor { return ops.max(this, axis, keepDims); }
  min(axis?: number | number[], keepDims = false): Tensor { return ops.min(this, axis, keepDims); }
  argMax(axis = -1): Tensor { return ops.argMax(this, axis); }
  matmul(b: Tensor, transposeA = false, transposeB = false): Tensor { return ops.matmul(this, b, transposeA, transposeB); }
  reshape(shape: readonly number[]): Tensor { return ops.reshape(this, shape); }
  transpose(perm?: readonly number[]): Tensor { return ops.transpose(this, perm); }
  flatten(): Tensor { return ops.flatten(this); }
  expandDims(axis = 0): Tensor { return ops.expandDims(this, axis); }
  squeeze(axis?: number[]): Tensor { return ops.squeeze(this, axis); }
  cast(dtype: DType): Tensor { return ops.cast(this, dtype); }
}

/**
 * A mutable tensor: model weights and optimizer state. `assign` overwrites the values in place,
 * so kernels holding the buffer (optimizer loops) see the update without reallocation.
 */
export class Variable extends Tensor {
  readonly name: string;
  trainable: boolean;

  constructor(initial: Tensor, options: { name?: string; trainable?: boolean } = {}) {
    super(initial.values.slice(), initial.shape, initial.dtype);
    this.name = options.name ?? `variable_${this.id}`;
    this.trainable = options.trainable ?? true;
    this.requiresGrad = this.trainable;
  }

  assign(value: Tensor): void {
    if (value.size !== this.size || value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i])) {
      throw new Error(`Variable '${this.name}'.assign: shape ${formatShape(value.shape)} does not match the variable's shape ${formatShape(this.shape)}`);
    }
    this.values.set(value.values);
  }
}

const MAX_PRINT = 20;

function formatValues(t: Tensor): string {
  const fmt = (v: number) => {
    if (t.dtype === 'int32') return String(v);
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return Number.isInteger(v) && Math.abs(v) < 1e6 ? `${v}` : v.toPrecision(6).replace(/\.?0+$/, '').replace(/\.?0+e/, 'e');
  };
  if (t.rank === 0) return fmt(t.values[0]!);
  const strides = stridesOf(t.shape);
  const rec = (axis: number, offset: number, indent: string): string => {
    const dim = t.shape[axis]!;
    const items: string[] = [];
    const show = dim > MAX_PRINT ? [0, 1, 2, -1, dim - 3, dim - 2, dim - 1] : Array.from({ length: dim }, (_, i) => i);
    for (const i of show) {
      if (i === -1) { items.push('...'); continue; }
      const o = offset + i * strides[axis]!;
      items.push(axis === t.rank - 1 ? fmt(t.values[o]!) : rec(axis + 1, o, indent + ' '));
    }
    const sep = axis === t.rank - 1 ? ', ' : `,\n${indent} `;
    return `[${items.join(sep)}]`;
  };
  return rec(0, 0, '    ');
}

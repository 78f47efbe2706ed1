import type { Shape } from './shape';
import { formatShape, stridesOf } from './shape';
import type { GradNode } from './autograd';
import type * as Ops from './ops';

/** Element types: float32 (the default) and int32 (indices, argMax, labels). There is no bool dtype. */
export type DType = 'float32' | 'int32';
/** The storage of a tensor: a Float32Array for float32, an Int32Array for int32. */
export type DataArray = Float32Array | Int32Array;
/** Values as nested arrays, one level per axis; booleans become 0 and 1. */
export type NestedArray = number | boolean | readonly NestedArray[];
/** What `arraySync()` returns: a number, or arrays nested once per axis. */
export type NestedNumbers = number | NestedNumbers[];
/** What ops accept wherever a tensor is expected: a tensor, a number, nested arrays or a typed array. */
export type TensorLike = Tensor | NestedArray | Float32Array | Int32Array;

/** Options of {@link Variable} and `variable()`. */
export interface VariableOptions {
  /** Shown in errors and used as the weight name when saving; defaults to `variable_<id>`. */
  name?: string;
  /** Whether `variableGrads` (and optimizers) see it by default. Default true. */
  trainable?: boolean;
}

let nextId = 0;
let trustedShape = false;

/**
 * @internal The ops behind the method forms of {@link Tensor} (`x.add(y)`), and only those: index.ts hands
 * over exactly this table, so the op families no method uses (convolutions, pooling, recurrent ops...) stay
 * modules a bundler leaves out of a program that does not import them.
 */
export type MethodOps = Pick<typeof Ops, 'abs' | 'add' | 'argMax' | 'argMin' | 'broadcastTo' | 'cast' | 'clipByValue' | 'div' | 'elu' | 'equal' | 'exp' | 'expandDims' | 'flatten' | 'gather' | 'greater' | 'greaterEqual' | 'leakyRelu' | 'less' | 'lessEqual' | 'log' | 'log1p' | 'logSoftmax' | 'logSumExp' | 'matmul' | 'max' | 'maximum' | 'mean' | 'min' | 'minimum' | 'mul' | 'neg' | 'notEqual' | 'pad' | 'pow' | 'prod' | 'relu' | 'relu6' | 'reshape' | 'selu' | 'sigmoid' | 'sign' | 'slice' | 'softmax' | 'softplus' | 'sqrt' | 'square' | 'squaredDifference' | 'squeeze' | 'sub' | 'sum' | 'tanh' | 'tile' | 'transpose'>;

/**
 * The op functions behind the method forms (`x.add(y)`). The ops import this module for `Tensor`, so this
 * module does not import them back (no import cycle, so no order in which the two could initialise wrongly):
 * the package's entry module (index.ts) hands them over with {@link installOps} when it loads.
 */
let ops: MethodOps = new Proxy({} as MethodOps, {
  get(_, name) {
    throw new Error(`Tensor.${String(name)}: the ops are not loaded; import '@minikeras/tensor' (its index), not a single module of it`);
  },
});

/** @internal Called once by the package's index.ts with the ops of the method forms of {@link Tensor}. */
export function installOps(table: MethodOps): void {
  ops = table;
}

/**
 * @internal How ops build their outputs: `shape` must be frozen (an input tensor's `shape`, or an array the op
 * just built and passed through `Object.freeze`) and `values.length` must equal its size. Skipping the public
 * constructor's validation, `Object.isFrozen` call and defensive copy measured 50-200 ns per tensor, a fifth of
 * a tiny model's training step.
 */
export function opResult(values: DataArray, shape: Shape): Tensor {
  trustedShape = true;
  return new Tensor(values, shape);
}

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
  /** @internal The last backprop traversal that visited this tensor (autograd's visited set, without a Set). */
  visitMark = 0;
  /** @internal The gradient flowing into this tensor during the backprop traversal `gradEpoch`. */
  pendingGrad: Tensor | null = null;
  /** @internal */
  gradEpoch = 0;

  constructor(values: DataArray, shape: Shape, dtype?: DType) {
    if (trustedShape) {
      // opResult: the op vouches that `shape` is frozen and matches `values` (see there).
      trustedShape = false;
      this.values = values;
      this.shape = shape;
      this.dtype = values instanceof Int32Array ? 'int32' : 'float32';
      return;
    }
    let size = 1;
    for (let i = 0; i < shape.length; i++) {
      const d = shape[i]!;
      if (!Number.isInteger(d) || d < 0) throw new Error(`tensor: invalid shape ${formatShape(shape)}; dimensions must be non-negative integers`);
      size *= d;
    }
    if (values.length !== size) {
      throw new Error(`tensor: ${values.length} values do not fill shape ${formatShape(shape)} (needs ${size})`);
    }
    this.values = values;
    // A frozen shape (another tensor's) cannot change under us, so it is shared instead of copied: most ops
    // build their output from an input's shape, and the copy was a measurable share of a small model's step.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.dtype = values instanceof Int32Array ? 'int32' : 'float32';
    if (dtype !== undefined && dtype !== this.dtype) {
      throw new Error(`tensor: dtype '${dtype}' does not match its ${values.constructor.name} storage`);
    }
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

  /** The values as fresh nested arrays, one level per axis (a plain number for a scalar). */
  arraySync(): NestedNumbers {
    if (this.rank === 0) return this.values[0]!;
    const strides = stridesOf(this.shape);
    const build = (axis: number, offset: number): NestedNumbers[] => {
      const out: NestedNumbers[] = [];
      const dim = this.shape[axis]!;
      for (let i = 0; i < dim; i++) {
        const o = offset + i * strides[axis]!;
        out.push(axis === this.rank - 1 ? this.values[o]! : build(axis + 1, o));
      }
      return out;
    };
    return build(0, 0);
  }

  /** Async twin of `arraySync`, as in tfjs. */
  async array(): Promise<NestedNumbers> {
    return this.arraySync();
  }

  /** The single value of a size-1 tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape ${formatShape(this.shape)} has ${this.size} values, expected 1`);
    return this.values[0]!;
  }

  /**
   * Prints like tfjs: `Tensor` then the values (at most 7 decimals, long axes elided with `...`);
   * `verbose` adds dtype, rank and shape.
   */
  toString(verbose = false): string {
    const head = verbose ? `Tensor\n  dtype: ${this.dtype}\n  rank: ${this.rank}\n  shape: ${formatShape(this.shape)}\n  values:\n` : 'Tensor\n';
    return head + formatValues(this);
  }

  /** Logs `toString(verbose)` to the console, as tfjs' `print`. */
  print(verbose = false): void {
    console.log(this.toString(verbose));
  }

  // Method forms of the ops: one-line sugar so `x.add(y).relu()` reads like tfjs.
  add(b: TensorLike): Tensor { return ops.add(this, b); }
  sub(b: TensorLike): Tensor { return ops.sub(this, b); }
  mul(b: TensorLike): Tensor { return ops.mul(this, b); }
  div(b: TensorLike): Tensor { return ops.div(this, b); }
  pow(b: TensorLike): Tensor { return ops.pow(this, b); }
  maximum(b: TensorLike): Tensor { return ops.maximum(this, b); }
  minimum(b: TensorLike): Tensor { return ops.minimum(this, b); }
  squaredDifference(b: TensorLike): Tensor { return ops.squaredDifference(this, b); }
  equal(b: TensorLike): Tensor { return ops.equal(this, b); }
  notEqual(b: TensorLike): Tensor { return ops.notEqual(this, b); }
  greater(b: TensorLike): Tensor { return ops.greater(this, b); }
  greaterEqual(b: TensorLike): Tensor { return ops.greaterEqual(this, b); }
  less(b: TensorLike): Tensor { return ops.less(this, b); }
  lessEqual(b: TensorLike): Tensor { return ops.lessEqual(this, b); }
  neg(): Tensor { return ops.neg(this); }
  square(): Tensor { return ops.square(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  log1p(): Tensor { return ops.log1p(this); }
  abs(): Tensor { return ops.abs(this); }
  sign(): Tensor { return ops.sign(this); }
  clipByValue(min: number, max: number): Tensor { return ops.clipByValue(this, min, max); }
  relu(): Tensor { return ops.relu(this); }
  relu6(): Tensor { return ops.relu6(this); }
  leakyRelu(alpha = 0.2): Tensor { return ops.leakyRelu(this, alpha); }
  elu(): Tensor { return ops.elu(this); }
  selu(): Tensor { return ops.selu(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  softplus(): Tensor { return ops.softplus(this); }
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }
  sum(axis?: number | readonly number[], keepDims = false): Tensor { return ops.sum(this, axis, keepDims); }
  mean(axis?: number | readonly number[], keepDims = false): Tensor { return ops.mean(this, axis, keepDims); }
  max(axis?: number | readonly number[], keepDims = false): Tensor { return ops.max(this, axis, keepDims); }
  min(axis?: number | readonly number[], keepDims = false): Tensor { return ops.min(this, axis, keepDims); }
  prod(axis?: number | readonly number[], keepDims = false): Tensor { return ops.prod(this, axis, keepDims); }
  logSumExp(axis?: number | readonly number[], keepDims = false): Tensor { return ops.logSumExp(this, axis, keepDims); }
  argMax(axis = 0): Tensor { return ops.argMax(this, axis); }
  argMin(axis = 0): Tensor { return ops.argMin(this, axis); }
  matmul(b: TensorLike, transposeA = false, transposeB = false): Tensor { return ops.matmul(this, b, transposeA, transposeB); }
  reshape(shape: readonly number[]): Tensor { return ops.reshape(this, shape); }
  transpose(perm?: readonly number[]): Tensor { return ops.transpose(this, perm); }
  flatten(): Tensor { return ops.flatten(this); }
  expandDims(axis = 0): Tensor { return ops.expandDims(this, axis); }
  squeeze(axis?: readonly number[]): Tensor { return ops.squeeze(this, axis); }
  slice(begin: number | readonly number[], size?: number | readonly number[]): Tensor { return ops.slice(this, begin, size); }
  gather(indices: TensorLike, axis = 0): Tensor { return ops.gather(this, indices, axis); }
  pad(paddings: readonly (readonly [number, number])[], constantValue = 0): Tensor { return ops.pad(this, paddings, constantValue); }
  tile(reps: readonly number[]): Tensor { return ops.tile(this, reps); }
  broadcastTo(shape: readonly number[]): Tensor { return ops.broadcastTo(this, shape); }
  cast(dtype: DType): Tensor { return ops.cast(this, dtype); }
  /** A new tensor with a copy of the values, no longer linked to the gradient graph. */
  clone(): Tensor { return new Tensor(this.values.slice(), this.shape, this.dtype); }
}

/**
 * A mutable tensor: model weights and optimizer state. `assign` overwrites the values in place,
 * so kernels holding the buffer (optimizer loops) see the update without reallocation.
 */
export class Variable extends Tensor {
  readonly name: string;
  private trainableFlag: boolean;

  constructor(initial: Tensor, options: VariableOptions = {}) {
    super(initial.values.slice(), initial.shape, initial.dtype);
    this.name = options.name ?? `variable_${this.id}`;
    this.trainableFlag = options.trainable ?? true;
    this.requiresGrad = this.trainableFlag;
  }

  /** Trainable variables are tracked by autograd; freezing one (`trainable = false`) stops that. */
  get trainable(): boolean { return this.trainableFlag; }
  set trainable(value: boolean) {
    this.trainableFlag = value;
    this.requiresGrad = value;
  }

  assign(value: Tensor): void {
    if (value.size !== this.size || value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i])) {
      throw new Error(`Variable '${this.name}'.assign: shape ${formatShape(value.shape)} does not match the variable's shape ${formatShape(this.shape)}`);
    }
    this.values.set(value.values);
  }
}

// Printing follows tfjs' tensor_format: 7 decimals at most, columns padded to a common width, rank >= 3
// blocks separated by blank lines, and axes longer than 20 shown as their first and last 3 entries.
const PRINT_LIMIT = 20;
const PRINT_EDGE = 3;

function formatValue(v: number): string {
  return String(parseFloat(v.toFixed(7)));
}

/** Indices of an axis of length `n` that are printed, with -1 standing for the '...' gap. */
function shownIndices(n: number): number[] {
  if (n <= PRINT_LIMIT) return Array.from({ length: n }, (_, i) => i);
  const head = Array.from({ length: PRINT_EDGE }, (_, i) => i);
  return [...head, -1, ...head.map((i) => n - PRINT_EDGE + i)];
}

function formatValues(t: Tensor): string {
  const { shape, values } = t;
  const rank = shape.length;
  if (rank === 0) return '    ' + formatValue(values[0]!);
  const cols = shape[rank - 1]!;
  // Every column gets the width of its widest value (rank >= 2 only, as in tfjs).
  const width = new Array<number>(cols).fill(0);
  if (rank > 1) for (let i = 0; i < values.length; i++) width[i % cols] = Math.max(width[i % cols]!, formatValue(values[i]!).length);
  const strides = stridesOf(shape);
  // Returns the lines of the sub-tensor at `offset` spanning axes [axis, rank).
  const block = (axis: number, offset: number): string[] => {
    const n = shape[axis]!;
    const idx = shownIndices(n);
    if (axis === rank - 1) {
      const items = idx.map((i) => (i < 0 ? '...' : formatValue(values[offset + i]!).padEnd(width[i]!)));
      return [`[${items.join(', ')}]`];
    }
    const subRank = rank - axis - 1;
    const lines: string[] = [];
    idx.forEach((i, k) => {
      if (i < 0) { lines.push('...'); return; }
      const sub = block(axis + 1, offset + i * strides[axis]!);
      // Sub-blocks of rank >= 2 end with a comma and (subRank - 1) blank lines, except the last one.
      if (subRank >= 2 && k < idx.length - 1) sub[sub.length - 1] += ',' + '\n'.repeat(subRank - 1);
      lines.push(...sub);
    });
    const sep = subRank === 1 ? ',' : '';
    return lines.map((line, k) => {
      const head = k === 0 ? '[' : ' ';
      return k === lines.length - 1 ? `${head}${line}]` : `${head}${line}${sep}`;
    });
  };
  return block(0, 0).map((l) => '    ' + l).join('\n');
}

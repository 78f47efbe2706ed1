/** Elementwise ops with NumPy broadcasting; each op's backward sits right below its forward. */
import { Tensor, Variable, opResult } from '../tensor';
import type { DType, TensorLike } from '../tensor';
import { broadcastShapes, shapesEqual, sizeOf } from '../shape';
import { kernels } from '../kernels';
import type { BinaryOp, UnaryOp } from '../kernels';
import { record } from '../autograd';
import { toTensor } from './creation';
import { sumTo } from './sum-to';
import { allocFloat32 } from '../alloc';

function unaryOp(op: UnaryOp, x: TensorLike): Tensor {
  const t = toTensor(x);
  const out = allocFloat32(t.size);
  kernels().unary(op, t.values, out);
  const y = opResult(out, t.shape);
  return record(y, op, [t], (dy) => {
    const dx = allocFloat32(t.size);
    kernels().unaryGrad(op, t.values, y.values, dy.values, dx);
    return [opResult(dx, t.shape)];
  });
}

/** -x, elementwise. */
export const neg = (x: TensorLike): Tensor => unaryOp('neg', x);
/** e^x, elementwise. */
export const exp = (x: TensorLike): Tensor => unaryOp('exp', x);
/** Natural logarithm, elementwise (-Infinity at 0, NaN below). */
export const log = (x: TensorLike): Tensor => unaryOp('log', x);
/** log(1 + x), accurate for small x. */
export const log1p = (x: TensorLike): Tensor => unaryOp('log1p', x);
/** e^x - 1, accurate for small x. */
export const expm1 = (x: TensorLike): Tensor => unaryOp('expm1', x);
/** Square root, elementwise. */
export const sqrt = (x: TensorLike): Tensor => unaryOp('sqrt', x);
/** x * x, elementwise. */
export const square = (x: TensorLike): Tensor => unaryOp('square', x);
/** |x|, elementwise; its gradient at 0 is 0. */
export const abs = (x: TensorLike): Tensor => unaryOp('abs', x);
/** -1, 0 or 1 (NaN stays NaN); its gradient is zero. */
export const sign = (x: TensorLike): Tensor => unaryOp('sign', x);
/** 1 / x, elementwise. */
export const reciprocal = (x: TensorLike): Tensor => unaryOp('reciprocal', x);
/** Sine, elementwise. */
export const sin = (x: TensorLike): Tensor => unaryOp('sin', x);
/** Cosine, elementwise. */
export const cos = (x: TensorLike): Tensor => unaryOp('cos', x);
/** Hyperbolic cosine, elementwise. */
export const cosh = (x: TensorLike): Tensor => unaryOp('cosh', x);
/** log(cosh(x)), computed without overflow for large |x|. */
export const logCosh = (x: TensorLike): Tensor => unaryOp('logCosh', x);
/** The Gauss error function, elementwise. */
export const erf = (x: TensorLike): Tensor => unaryOp('erf', x);
/** Rounds down, elementwise; its gradient is zero. */
export const floor = (x: TensorLike): Tensor => unaryOp('floor', x);
/** Rounds up, elementwise; its gradient is zero. */
export const ceil = (x: TensorLike): Tensor => unaryOp('ceil', x);
/** Rounds half to even, as tf.round and NumPy do. */
export const round = (x: TensorLike): Tensor => unaryOp('round', x);

/** Keras' relu options (`keras.activations.relu` and the ReLU layer); all default to plain relu. */
export interface ReluOptions {
  /** Slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Saturation: outputs are clipped to [0, maxValue] before the negative part is added (default none). */
  maxValue?: number | null;
  /** Inputs at or below it give 0 (before the negative part; default 0). */
  threshold?: number;
}

/**
 * max(x, 0), or with options Keras 3's `relu(x, negative_slope, max_value, threshold)` exactly:
 * pos = (threshold != 0 ? (x > threshold ? x : 0) : max(x, 0)), clipped to [0, maxValue] when maxValue is
 * given, minus negativeSlope * max(threshold - x, 0). One fused op (Keras composes up to five).
 */
export function relu(x: TensorLike, options?: ReluOptions): Tensor {
  if (options === undefined) return unaryOp('relu', x);
  const negativeSlope = options.negativeSlope ?? 0, maxValue = options.maxValue ?? null, threshold = options.threshold ?? 0;
  if (typeof negativeSlope !== 'number' || !Number.isFinite(negativeSlope) || negativeSlope < 0) {
    throw new Error(`relu: negativeSlope must be a finite number >= 0, got ${JSON.stringify(negativeSlope)}`);
  }
  if (maxValue !== null && (typeof maxValue !== 'number' || Number.isNaN(maxValue) || maxValue < 0)) {
    throw new Error(`relu: maxValue must be null or a number >= 0, got ${JSON.stringify(maxValue)}`);
  }
  if (typeof threshold !== 'number' || !Number.isFinite(threshold)) throw new Error(`relu: threshold must be a finite number, got ${JSON.stringify(threshold)}`);
  if (negativeSlope === 0 && maxValue === null && threshold === 0) return unaryOp('relu', x);
  const t = toTensor(x);
  const xv = t.dtype === 'float32' ? t.values : Float32Array.from(t.values);
  const out = allocFloat32(t.size);
  kernels().reluOptions(xv as Float32Array, negativeSlope, maxValue, threshold, out);
  return record(opResult(out, t.shape), 'relu', [t], (dy) => {
    const dx = allocFloat32(t.size);
    kernels().reluOptionsGrad(xv as Float32Array, negativeSlope, maxValue, threshold, dy.values as Float32Array, dx);
    return [opResult(dx, t.shape)];
  });
}
/** min(max(x, 0), 6), elementwise. */
export const relu6 = (x: TensorLike): Tensor => unaryOp('relu6', x);
/** Scaled ELU with the self-normalizing constants (alpha 1.6733, scale 1.0507). */
export const selu = (x: TensorLike): Tensor => unaryOp('selu', x);
/** 1 / (1 + e^-x), elementwise, stable for large |x|. */
export const sigmoid = (x: TensorLike): Tensor => unaryOp('sigmoid', x);
/** Keras 3's hard sigmoid: relu6(x + 3) / 6 (Keras 2 and tfjs used 0.2x + 0.5). */
export const hardSigmoid = (x: TensorLike): Tensor => unaryOp('hardSigmoid', x);
/** Hyperbolic tangent, elementwise. */
export const tanh = (x: TensorLike): Tensor => unaryOp('tanh', x);
/** log(1 + e^x), elementwise, stable for large x. */
export const softplus = (x: TensorLike): Tensor => unaryOp('softplus', x);
/** x / (1 + |x|), elementwise. */
export const softsign = (x: TensorLike): Tensor => unaryOp('softsign', x);
/** x * sigmoid(x). */
export const swish = (x: TensorLike): Tensor => unaryOp('swish', x);
export const silu = swish;
/** Exact GELU (erf form), Keras' default; `approximate: true` gives the tanh form. */
export const gelu = (x: TensorLike, approximate = false): Tensor => unaryOp(approximate ? 'geluTanh' : 'gelu', x);

/** x where x > 0, else `alpha` * x (Keras' default `alpha` 0.2). */
export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor {
  const t = toTensor(x);
  const out = allocFloat32(t.size);
  kernels().leakyRelu(t.values, alpha, out);
  return record(opResult(out, t.shape), 'leakyRelu', [t], (dy) => {
    const dx = allocFloat32(t.size);
    kernels().leakyReluGrad(t.values, alpha, dy.values, dx);
    return [opResult(dx, t.shape)];
  });
}

/** x where x > 0, else `alpha` * (e^x - 1). */
export function elu(x: TensorLike, alpha = 1): Tensor {
  const t = toTensor(x);
  const out = allocFloat32(t.size);
  kernels().elu(t.values, alpha, out);
  const y = opResult(out, t.shape);
  return record(y, 'elu', [t], (dy) => {
    const dx = allocFloat32(t.size);
    kernels().eluGrad(t.values, y.values, alpha, dy.values, dx);
    return [opResult(dx, t.shape)];
  });
}

function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const shape = shapesEqual(a.shape, b.shape) ? a.shape : Object.freeze(broadcastShapes(op, a.shape, b.shape));
  const out = allocFloat32(sizeOf(shape));
  kernels().binary(op, a.values, a.shape, b.values, b.shape, out, shape);
  return opResult(out, shape);
}

/** a + b, elementwise with NumPy broadcasting. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a), y = toTensor(b);
  return record(binaryRaw('add', x, y), 'add', [x, y], (dy) => [sumTo(dy, x.shape), sumTo(dy, y.shape)]);
}

/** a - b, elementwise with NumPy broadcasting. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a), y = toTensor(b);
  return record(binaryRaw('sub', x, y), 'sub', [x, y], (dy) => [sumTo(dy, x.shape), y.requiresGrad ? sumTo(neg(dy), y.shape) : null]);
}

/** a * b, elementwise with NumPy broadcasting. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a), y = toTensor(b);
  return record(binaryRaw('mul', x, y), 'mul', [x, y], (dy) => [
    x.requiresGrad ? sumTo(binaryRaw('mul', dy, y), x.shape) : null,
    y.requiresGrad ? sumTo(binaryRaw('mul', dy, x), y.shape) : null,
  ]);
}

/** a / b, elementwise with NumPy broadcasting. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a), y = toTensor(b);
  return record(binaryRaw('div', x, y), 'div', [x, y], (dy) => [
    x.requiresGrad ? sumTo(binaryRaw('div', dy, y), x.shape) : null,
    // d(x/y)/dy = -x / y^2
    y.requiresGrad ? sumTo(neg(binaryRaw('div', binaryRaw('mul', dy, x), binaryRaw('mul', y, y))), y.shape) : null,
  ]);
}

/** a ** b, elementwise with NumPy broadcasting; the gradient for `b` is taken as 0 where a <= 0. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a), y = toTensor(b);
  const out = binaryRaw('pow', x, y);
  return record(out, 'pow', [x, y], (dy) => [
    // d/dx x^y = y * x^(y-1)
    x.requiresGrad ? sumTo(binaryRaw('mul', dy, binaryRaw('mul', y, binaryRaw('pow', x, binaryRaw('sub', y, constant(1))))), x.shape) : null,
    // d/dy x^y = x^y * log(x), taken as 0 where x <= 0 (as TensorFlow does)
    y.requiresGrad ? sumTo(binaryRaw('mul', dy, where(greater(x, constant(0)), binaryRaw('mul', out, log(x)), constant(0))), y.shape) : null,
  ]);
}
// A fresh scalar per use.
const constant = (v: number) => new Tensor(new Float32Array([v]), []);

/** Elementwise max with broadcasting; on ties the gradient goes to `a`, as in TensorFlow. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a), y = toTensor(b);
  return record(binaryRaw('maximum', x, y), 'maximum', [x, y], (dy) => {
    const mask = binaryRaw('greaterEqual', x, y);
    return [sumTo(binaryRaw('mul', dy, mask), x.shape), sumTo(binaryRaw('mul', dy, binaryRaw('sub', constant(1), mask)), y.shape)];
  });
}

/** Elementwise min with broadcasting; on ties the gradient goes to `a`, as in TensorFlow. */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a), y = toTensor(b);
  return record(binaryRaw('minimum', x, y), 'minimum', [x, y], (dy) => {
    const mask = binaryRaw('lessEqual', x, y);
    return [sumTo(binaryRaw('mul', dy, mask), x.shape), sumTo(binaryRaw('mul', dy, binaryRaw('sub', constant(1), mask)), y.shape)];
  });
}

/** (a - b)^2, elementwise with NumPy broadcasting. */
export function squaredDifference(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a), y = toTensor(b);
  return record(binaryRaw('squaredDifference', x, y), 'squaredDifference', [x, y], (dy) => {
    const d = binaryRaw('mul', dy, binaryRaw('mul', binaryRaw('sub', x, y), new Tensor(new Float32Array([2]), [])));
    return [sumTo(d, x.shape), sumTo(neg(d), y.shape)];
  });
}

// Comparisons return float32 0/1 masks (there is no bool dtype) and carry no gradient.
/** 1 where a == b, else 0 (float32, broadcasting); carries no gradient. */
export const equal = (a: TensorLike, b: TensorLike): Tensor => binaryRaw('equal', toTensor(a), toTensor(b));
/** 1 where a != b, else 0 (float32, broadcasting); carries no gradient. */
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => binaryRaw('notEqual', toTensor(a), toTensor(b));
/** 1 where a > b, else 0 (float32, broadcasting); carries no gradient. */
export const greater = (a: TensorLike, b: TensorLike): Tensor => binaryRaw('greater', toTensor(a), toTensor(b));
/** 1 where a >= b, else 0 (float32, broadcasting); carries no gradient. */
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => binaryRaw('greaterEqual', toTensor(a), toTensor(b));
/** 1 where a < b, else 0 (float32, broadcasting); carries no gradient. */
export const less = (a: TensorLike, b: TensorLike): Tensor => binaryRaw('less', toTensor(a), toTensor(b));
/** 1 where a <= b, else 0 (float32, broadcasting); carries no gradient. */
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => binaryRaw('lessEqual', toTensor(a), toTensor(b));

/** Picks `a` where `condition` is non-zero and `b` elsewhere; all three broadcast together. */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = toTensor(condition), x = toTensor(a), y = toTensor(b);
  const shape = broadcastShapes('where', broadcastShapes('where', c.shape, x.shape), y.shape);
  const size = shape.reduce((p, d) => p * d, 1);
  const k = kernels();
  const expand = (t: Tensor) => {
    if (t.size === size) return t.values;
    const buf = allocFloat32(size);
    k.broadcastTo(t.values, t.shape, buf, shape);
    return buf;
  };
  const cv = expand(c);
  const out = allocFloat32(size);
  k.select(cv, expand(x), expand(y), out);
  return record(new Tensor(out, shape), 'where', [x, y], (dy) => {
    const dx = allocFloat32(size), dz = allocFloat32(size);
    for (let i = 0; i < size; i++) { if (cv[i] !== 0) dx[i] = dy.values[i]!; else dz[i] = dy.values[i]!; }
    return [sumTo(new Tensor(dx, shape), x.shape), sumTo(new Tensor(dz, shape), y.shape)];
  });
}

/** Clamps to [min, max]; the gradient flows where min <= x <= max, as in TensorFlow. */
export function clipByValue(x: TensorLike, min: number, max: number): Tensor {
  if (!(min <= max)) throw new Error(`clipByValue: min (${min}) must be <= max (${max})`);
  const t = toTensor(x);
  const out = allocFloat32(t.size);
  kernels().clip(t.values, min, max, out);
  return record(opResult(out, t.shape), 'clipByValue', [t], (dy) => {
    const dx = allocFloat32(t.size);
    for (let i = 0; i < t.size; i++) { const v = t.values[i]!; dx[i] = v >= min && v <= max ? dy.values[i]! : 0; }
    return [opResult(dx, t.shape)];
  });
}

/** Converts the dtype; float to int truncates toward zero, as tf.cast does. */
export function cast(x: TensorLike, dtype: DType): Tensor {
  const t = toTensor(x);
  if (t.dtype === dtype) return t;
  const out = dtype === 'int32' ? Int32Array.from(t.values, (v) => Math.trunc(v)) : Float32Array.from(t.values);
  const y = new Tensor(out, t.shape, dtype);
  return dtype === 'float32' ? record(y, 'cast', [t], (dy) => [dy]) : y;
}

/** The same values with no gradient flowing back through them (a snapshot when `x` is a Variable). */
export function stopGradient(x: TensorLike): Tensor {
  const t = toTensor(x);
  return new Tensor(t instanceof Variable ? t.values.slice() : t.values, t.shape, t.dtype);
}

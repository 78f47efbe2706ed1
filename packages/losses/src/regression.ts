/**
 * Regression losses. Each has a functional form returning per-sample values (the mean over the last axis, as
 * in Keras) and a class form adding reduction and sample weights. Formulas follow keras/src/losses/losses.py.
 */
import {
  Tensor, abs, add, div, logCosh as logCoshOp, log, maximum, mean, minimum, mul, neg, scalar, sqrt, square,
  squaredDifference, sub, sum,
} from '@minikeras/tensor';
import type { TensorLike } from '@minikeras/tensor';
import { Loss } from './loss';
import type { LossConfig, LossOptions } from './loss';
import { EPSILON, asFloat, assertSameShape, resolveAxis, squeezeOrExpandToSameRank } from './shapes';

/** Aligns ranks like Keras, then requires equal shapes (Keras would broadcast silently). */
export function alignElementwise(name: string, yTrue: TensorLike, yPred: TensorLike): [Tensor, Tensor] {
  const [t, p] = squeezeOrExpandToSameRank(asFloat(yTrue), asFloat(yPred));
  assertSameShape(name, t, p);
  return [t, p];
}

/** mean((yTrue - yPred)^2) over the last axis. */
export function meanSquaredError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = alignElementwise('MeanSquaredError', yTrue, yPred);
  return mean(squaredDifference(t, p), -1);
}

/** mean(|yTrue - yPred|) over the last axis. */
export function meanAbsoluteError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = alignElementwise('MeanAbsoluteError', yTrue, yPred);
  return mean(abs(sub(t, p)), -1);
}

/** 100 * mean(|(yTrue - yPred) / max(|yTrue|, 1e-7)|) over the last axis. */
export function meanAbsolutePercentageError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = alignElementwise('MeanAbsolutePercentageError', yTrue, yPred);
  const diff = abs(div(sub(t, p), maximum(abs(t), scalar(EPSILON))));
  return mul(scalar(100), mean(diff, -1));
}

/** mean((log(max(yPred, 1e-7) + 1) - log(max(yTrue, 1e-7) + 1))^2) over the last axis. */
export function meanSquaredLogarithmicError(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = alignElementwise('MeanSquaredLogarithmicError', yTrue, yPred);
  const one = scalar(1);
  const first = log(add(maximum(p, scalar(EPSILON)), one));
  const second = log(add(maximum(t, scalar(EPSILON)), one));
  return mean(square(sub(first, second)), -1);
}

/**
 * mean(0.5 e^2 where |e| <= delta, else delta |e| - 0.5 delta^2) over the last axis, with e = yPred - yTrue.
 * Written as 0.5 q^2 + delta (|e| - q) with q = min(|e|, delta): the same values, and one expression whose
 * gradient is right on both sides of delta.
 */
export function huber(yTrue: TensorLike, yPred: TensorLike, delta = 1): Tensor {
  if (!(delta > 0)) throw new Error(`Huber: delta must be > 0, got ${delta}`);
  const [t, p] = alignElementwise('Huber', yTrue, yPred);
  const absError = abs(sub(p, t));
  const quadratic = minimum(absError, scalar(delta));
  const linear = sub(absError, quadratic);
  return mean(add(mul(scalar(0.5), square(quadratic)), mul(scalar(delta), linear)), -1);
}

/** mean(log(cosh(yPred - yTrue))) over the last axis, stable for large errors. */
export function logCosh(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = alignElementwise('LogCosh', yTrue, yPred);
  return mean(logCoshOp(sub(p, t)), -1);
}

/** x / max(||x||, 1e-7) along `axis` (Keras' l2 `normalize`); written via the squared norm so 0 vectors stay finite. */
function l2Normalize(x: Tensor, axis: number): Tensor {
  return div(x, sqrt(maximum(sum(square(x), axis, true), scalar(EPSILON * EPSILON))));
}

/**
 * -sum(l2normalize(yTrue) * l2normalize(yPred)) along `axis`: -1 for parallel vectors, 0 for orthogonal ones or
 * when either is a zero vector.
 */
export function cosineSimilarity(yTrue: TensorLike, yPred: TensorLike, axis = -1): Tensor {
  const [t, p] = alignElementwise('CosineSimilarity', yTrue, yPred);
  const ax = resolveAxis('CosineSimilarity', axis, p.rank);
  return neg(sum(mul(l2Normalize(t, ax), l2Normalize(p, ax)), ax));
}

/** Computes the mean of squares of errors between labels and predictions: `mean((yTrue - yPred)^2)`. */
export class MeanSquaredError extends Loss {
  constructor(options: LossOptions = {}) { super('MeanSquaredError', 'mean_squared_error', options); }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return meanSquaredError(yTrue, yPred); }
}

/** Computes the mean of absolute differences: `mean(|yTrue - yPred|)`. */
export class MeanAbsoluteError extends Loss {
  constructor(options: LossOptions = {}) { super('MeanAbsoluteError', 'mean_absolute_error', options); }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return meanAbsoluteError(yTrue, yPred); }
}

/** `100 * mean(|(yTrue - yPred) / yTrue|)`, dividing by `max(|yTrue|, 1e-7)`. */
export class MeanAbsolutePercentageError extends Loss {
  constructor(options: LossOptions = {}) { super('MeanAbsolutePercentageError', 'mean_absolute_percentage_error', options); }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return meanAbsolutePercentageError(yTrue, yPred); }
}

/** `mean((log(yTrue + 1) - log(yPred + 1))^2)`, with values below 1e-7 raised to 1e-7. */
export class MeanSquaredLogarithmicError extends Loss {
  constructor(options: LossOptions = {}) { super('MeanSquaredLogarithmicError', 'mean_squared_logarithmic_error', options); }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return meanSquaredLogarithmicError(yTrue, yPred); }
}

export interface HuberOptions extends LossOptions {
  /** Where the loss turns from quadratic to linear. Default 1. */
  delta?: number;
}
export interface HuberConfig extends LossConfig { delta: number }

/** Huber loss: quadratic for errors up to `delta`, linear beyond. See https://en.wikipedia.org/wiki/Huber_loss. */
export class Huber extends Loss {
  readonly delta: number;
  constructor(options: HuberOptions = {}) {
    super('Huber', 'huber_loss', options);
    this.delta = options.delta ?? 1;
    if (!(this.delta > 0)) throw new Error(`Huber: delta must be > 0, got ${this.delta}`);
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return huber(yTrue, yPred, this.delta); }
  override getConfig(): HuberConfig { return { ...super.getConfig(), delta: this.delta }; }
}

/** `mean(log(cosh(yPred - yTrue)))`: like MSE / 2 for small errors, like MAE - log 2 for large ones. */
export class LogCosh extends Loss {
  constructor(options: LossOptions = {}) { super('LogCosh', 'log_cosh', options); }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return logCosh(yTrue, yPred); }
}

export interface CosineSimilarityOptions extends LossOptions {
  /** The feature axis along which similarity is computed. Default -1. */
  axis?: number;
}
export interface CosineSimilarityConfig extends LossConfig { axis: number }

/** Negative cosine similarity, so that minimizing it aligns the vectors (-1 is best). */
export class CosineSimilarity extends Loss {
  readonly axis: number;
  constructor(options: CosineSimilarityOptions = {}) {
    super('CosineSimilarity', 'cosine_similarity', options);
    this.axis = options.axis ?? -1;
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return cosineSimilarity(yTrue, yPred, this.axis); }
  override getConfig(): CosineSimilarityConfig { return { ...super.getConfig(), axis: this.axis }; }
}

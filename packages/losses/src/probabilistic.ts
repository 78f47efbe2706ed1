/**
 * Probabilistic losses: crossentropies (binary, focal, categorical, sparse), KL divergence and Poisson.
 * Numerics follow Keras 3 on the TensorFlow backend: probabilities are clipped to [1e-7, 1 - 1e-7] before the
 * log, categorical probabilities are renormalized to sum to 1, and `fromLogits` uses log-softmax or the
 * sigmoid-with-logits formula instead of forming probabilities.
 */
import {
  Tensor, add, clipByValue, div, exp, formatShape, greaterEqual, log, log1p, logSoftmax, mean, mul,
  neg, notEqual, oneHot, pow, scalar, sigmoid, sigmoidBinaryCrossentropy, softmax, softmaxCategoricalCrossentropy,
  squeeze, sub, sum, tensor, where,
} from '@minikeras/tensor';
import type { TensorLike } from '@minikeras/tensor';
import { Loss } from './loss';
import type { LossConfig, LossOptions, MaskedLosses } from './loss';
import { alignElementwise } from './regression';
import {
  EPSILON, asFloat, assertSameShape, assertSparseLabels, resolveAxis, sparseHint,
} from './shapes';

function checkLabelSmoothing(name: string, labelSmoothing: number): void {
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new Error(`${name}: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
  }
}

/**
 * Elementwise binary crossentropy. With logits, TensorFlow's stable form
 * max(x, 0) - x z + log(1 + exp(-|x|)); the `where` branches (rather than relu/abs) make the gradient at
 * x = 0 exactly sigmoid(0) - z.
 */
function elementwiseBinaryCrossentropy(target: Tensor, output: Tensor, fromLogits: boolean): Tensor {
  if (fromLogits) {
    const nonNegative = greaterEqual(output, scalar(0));
    const reluLogits = where(nonNegative, output, scalar(0));
    const negAbsLogits = where(nonNegative, neg(output), output);
    return add(sub(reluLogits, mul(output, target)), log1p(exp(negAbsLogits)));
  }
  const p = clipByValue(output, EPSILON, 1 - EPSILON);
  const one = scalar(1);
  return neg(add(mul(target, log(p)), mul(sub(one, target), log(sub(one, p)))));
}

function smoothBinary(target: Tensor, labelSmoothing: number): Tensor {
  return labelSmoothing ? add(mul(target, scalar(1 - labelSmoothing)), scalar(0.5 * labelSmoothing)) : target;
}

function smoothCategorical(target: Tensor, labelSmoothing: number, axis: number): Tensor {
  if (!labelSmoothing) return target;
  const numClasses = target.shape[axis]!;
  return add(mul(target, scalar(1 - labelSmoothing)), scalar(labelSmoothing / numClasses));
}

export interface BinaryCrossentropyOptions extends LossOptions {
  /** Whether `yPred` holds logits rather than probabilities. Default false. */
  fromLogits?: boolean;
  /** In [0, 1]: labels are squeezed towards 0.5, `y (1 - s) + s / 2`. Default 0. */
  labelSmoothing?: number;
  /** The axis averaged over. Default -1. */
  axis?: number;
}
export interface BinaryCrossentropyConfig extends LossConfig { fromLogits: boolean; labelSmoothing: number; axis: number }

/** Binary crossentropy, averaged over `axis` (default the last). */
export function binaryCrossentropy(yTrue: TensorLike, yPred: TensorLike, options: Omit<BinaryCrossentropyOptions, keyof LossOptions> = {}): Tensor {
  const { fromLogits = false, labelSmoothing = 0, axis = -1 } = options;
  checkLabelSmoothing('BinaryCrossentropy', labelSmoothing);
  const [t, p] = alignElementwise('BinaryCrossentropy', yTrue, yPred);
  const ax = resolveAxis('BinaryCrossentropy', axis, p.rank);
  const target = smoothBinary(t, labelSmoothing);
  // Fast path: probabilities straight out of a sigmoid get the fused (p - t) gradient on the logits.
  const fused = !fromLogits && ax === p.rank - 1 ? sigmoidBinaryCrossentropy(target, p, EPSILON) : null;
  return fused ?? mean(elementwiseBinaryCrossentropy(target, p, fromLogits), ax);
}

export interface BinaryFocalCrossentropyOptions extends BinaryCrossentropyOptions {
  /** Weight class 1 by `alpha` and class 0 by `1 - alpha`. Default false. */
  applyClassBalancing?: boolean;
  /** The class-1 weight used with `applyClassBalancing`. Default 0.25. */
  alpha?: number;
  /** The focusing parameter: 0 gives plain binary crossentropy. Default 2. */
  gamma?: number;
}
export interface BinaryFocalCrossentropyConfig extends BinaryCrossentropyConfig { applyClassBalancing: boolean; alpha: number; gamma: number }

/**
 * Focal binary crossentropy (Lin et al. 2018, https://arxiv.org/abs/1708.02002):
 * `(1 - p_t)^gamma * bce`, with `p_t = y p + (1 - y)(1 - p)`, optionally times `alpha` / `1 - alpha`.
 */
export function binaryFocalCrossentropy(yTrue: TensorLike, yPred: TensorLike, options: Omit<BinaryFocalCrossentropyOptions, keyof LossOptions> = {}): Tensor {
  const { applyClassBalancing = false, alpha = 0.25, gamma = 2, fromLogits = false, labelSmoothing = 0, axis = -1 } = options;
  checkLabelSmoothing('BinaryFocalCrossentropy', labelSmoothing);
  const [t0, logitsOrProbs] = alignElementwise('BinaryFocalCrossentropy', yTrue, yPred);
  const ax = resolveAxis('BinaryFocalCrossentropy', axis, logitsOrProbs.rank);
  const t = smoothBinary(t0, labelSmoothing);
  const p = fromLogits ? sigmoid(logitsOrProbs) : logitsOrProbs;
  // NOTE: with logits Keras' TensorFlow backend recovers the logits behind sigmoid() and uses the stable
  // formula; so do we, instead of clipping sigmoid(x) to [1e-7, 1 - 1e-7].
  const bce = elementwiseBinaryCrossentropy(t, logitsOrProbs, fromLogits);
  const one = scalar(1);
  const pT = add(mul(t, p), mul(sub(one, t), sub(one, p)));
  let focal = mul(pow(sub(one, pT), scalar(gamma)), bce);
  if (applyClassBalancing) {
    focal = mul(add(mul(t, scalar(alpha)), mul(sub(one, t), scalar(1 - alpha))), focal);
  }
  return mean(focal, ax);
}

export interface CategoricalCrossentropyOptions extends LossOptions {
  /** Whether `yPred` holds logits rather than a probability distribution. Default false. */
  fromLogits?: boolean;
  /** In [0, 1]: one-hot labels become `y (1 - s) + s / numClasses`. Default 0. */
  labelSmoothing?: number;
  /** The class axis. Default -1. */
  axis?: number;
}
export interface CategoricalCrossentropyConfig extends LossConfig { fromLogits: boolean; labelSmoothing: number; axis: number }

function alignCategorical(name: string, yTrue: TensorLike, yPred: TensorLike): [Tensor, Tensor] {
  const t = asFloat(yTrue), p = asFloat(yPred);
  assertSameShape(name, t, p, sparseHint(t, p));
  if (p.rank === 0) throw new Error(`${name}: yPred must have a class axis, got a scalar`);
  return [t, p];
}

/** log of the class probabilities as Keras computes them: renormalized to sum 1, clipped to [1e-7, 1 - 1e-7]. */
function clippedLogProbabilities(probs: Tensor, axis: number): Tensor {
  const normalized = div(probs, sum(probs, axis, true));
  return log(clipByValue(normalized, EPSILON, 1 - EPSILON));
}

/** Categorical crossentropy `-sum(yTrue * log(yPred))` over the class axis, for one-hot (or soft) labels. */
export function categoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, options: Omit<CategoricalCrossentropyOptions, keyof LossOptions> = {}): Tensor {
  const { fromLogits = false, labelSmoothing = 0, axis = -1 } = options;
  checkLabelSmoothing('CategoricalCrossentropy', labelSmoothing);
  const [t0, p] = alignCategorical('CategoricalCrossentropy', yTrue, yPred);
  const ax = resolveAxis('CategoricalCrossentropy', axis, p.rank);
  const t = smoothCategorical(t0, labelSmoothing, ax);
  // Fast path: probabilities straight out of a softmax get the fused (p - t) gradient on the logits.
  const fused = !fromLogits && ax === p.rank - 1 ? softmaxCategoricalCrossentropy(t, p, EPSILON) : null;
  if (fused) return fused;
  const logProbs = fromLogits ? logSoftmax(p, ax) : clippedLogProbabilities(p, ax);
  return neg(sum(mul(t, logProbs), ax));
}

export interface CategoricalFocalCrossentropyOptions extends CategoricalCrossentropyOptions {
  /** Class weight: one number, or one per class. Default 0.25. */
  alpha?: number | readonly number[];
  /** The focusing parameter: 0 removes the focal factor. Default 2. */
  gamma?: number;
}
export interface CategoricalFocalCrossentropyConfig extends CategoricalCrossentropyConfig { alpha: number | number[]; gamma: number }

/** Focal categorical crossentropy: `sum(alpha (1 - p)^gamma * -yTrue log p)` over the class axis. */
export function categoricalFocalCrossentropy(yTrue: TensorLike, yPred: TensorLike, options: Omit<CategoricalFocalCrossentropyOptions, keyof LossOptions> = {}): Tensor {
  const { alpha = 0.25, gamma = 2, fromLogits = false, labelSmoothing = 0, axis = -1 } = options;
  checkLabelSmoothing('CategoricalFocalCrossentropy', labelSmoothing);
  const [t0, p0] = alignCategorical('CategoricalFocalCrossentropy', yTrue, yPred);
  const ax = resolveAxis('CategoricalFocalCrossentropy', axis, p0.rank);
  const t = smoothCategorical(t0, labelSmoothing, ax);
  const p = fromLogits ? softmax(p0, ax) : p0;
  const output = clipByValue(div(p, sum(p, ax, true)), EPSILON, 1 - EPSILON);
  const cce = neg(mul(t, log(output)));
  let alphaT: Tensor;
  if (typeof alpha === 'number') {
    alphaT = scalar(alpha);
  } else {
    const numClasses = p0.shape[ax]!;
    if (alpha.length !== numClasses) {
      throw new Error(`CategoricalFocalCrossentropy: alpha has ${alpha.length} entries, expected one per class (${numClasses})`);
    }
    const shape = p0.shape.map((_, i) => (i === ax ? numClasses : 1));
    alphaT = tensor(Float32Array.from(alpha), shape);
  }
  const weighting = mul(pow(sub(scalar(1), output), scalar(gamma)), alphaT);
  return sum(mul(weighting, cce), ax);
}

export interface SparseCategoricalCrossentropyOptions extends LossOptions {
  /** Whether `yPred` holds logits rather than a probability distribution. Default false. */
  fromLogits?: boolean;
  /** A label value to skip (e.g. -1 or 255 for "void" pixels): its loss is 0 and it does not count in the mean. */
  ignoreClass?: number | null;
}
export interface SparseCategoricalCrossentropyConfig extends LossConfig { fromLogits: boolean; ignoreClass: number | null }

/** Squeezes `[..., 1]` labels and checks them against the batch shape of `yPred` and its number of classes. */
function alignSparse(name: string, yTrue: TensorLike, yPred: TensorLike, ignoreClass?: number | null): [Tensor, Tensor, number] {
  let t = asFloat(yTrue);
  const p = asFloat(yPred);
  if (p.rank === 0) throw new Error(`${name}: yPred must have a class axis, got a scalar`);
  if (t.rank === p.rank && t.shape[t.rank - 1] === 1) t = squeeze(t, [t.rank - 1]);
  const batchShape = p.shape.slice(0, -1);
  if (t.rank !== batchShape.length || t.shape.some((d, i) => d !== batchShape[i])) {
    const oneHot = t.rank === p.rank ? ' (it looks one-hot: use CategoricalCrossentropy for one-hot labels)' : '';
    throw new Error(`${name}: yTrue shape ${formatShape(t.shape)} does not fit yPred shape ${formatShape(p.shape)}; expected integer labels of shape ${formatShape(batchShape)} or ${formatShape([...batchShape, 1])}${oneHot}`);
  }
  const numClasses = p.shape[p.rank - 1]!;
  assertSparseLabels(name, t, numClasses, ignoreClass);
  return [t, p, numClasses];
}

function sparseCrossentropyWithMask(yTrue: TensorLike, yPred: TensorLike, fromLogits: boolean, ignoreClass: number | null | undefined): MaskedLosses {
  const name = 'SparseCategoricalCrossentropy';
  const [t0, p, numClasses] = alignSparse(name, yTrue, yPred, ignoreClass);
  const hasIgnore = ignoreClass !== undefined && ignoreClass !== null;
  const valid = hasIgnore ? notEqual(t0, scalar(ignoreClass)) : undefined;
  const t = valid ? mul(t0, valid) : t0;
  // TensorFlow takes log(clip(p)) as logits, so the probabilities end up renormalized by log-softmax too.
  const logProbs = logSoftmax(fromLogits ? p : log(clipByValue(p, EPSILON, 1 - EPSILON)), -1);
  const losses = neg(sum(mul(oneHot(t, numClasses), logProbs), -1));
  if (!valid) return { values: losses };
  return { values: where(valid, losses, scalar(0)), mask: valid };
}

/**
 * Crossentropy for integer class labels (shape `[batch]` or `[batch, 1]`) against `[batch, numClasses]`
 * predictions. Labels are checked: each must be an integer in [0, numClasses).
 */
export function sparseCategoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike, options: { fromLogits?: boolean; ignoreClass?: number | null; axis?: number } = {}): Tensor {
  const { axis = -1 } = options;
  const rank = asFloat(yPred).rank;
  if (axis !== -1 && axis !== rank - 1) {
    throw new Error(`SparseCategoricalCrossentropy: only the last axis can be the class axis (axis -1), got axis ${axis}`);
  }
  return sparseCrossentropyWithMask(yTrue, yPred, options.fromLogits ?? false, options.ignoreClass).values;
}

/** `sum(yTrue * log(yTrue / yPred))` over the last axis, both clipped to [1e-7, 1]. */
export function klDivergence(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t0, p0] = alignElementwise('KLDivergence', yTrue, yPred);
  const t = clipByValue(t0, EPSILON, 1);
  const p = clipByValue(p0, EPSILON, 1);
  return sum(mul(t, log(div(t, p))), -1);
}

/** `mean(yPred - yTrue * log(yPred + 1e-7))` over the last axis. */
export function poisson(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const [t, p] = alignElementwise('Poisson', yTrue, yPred);
  return mean(sub(p, mul(t, log(add(p, scalar(EPSILON))))), -1);
}

/**
 * Generalized crossentropy (Zhang & Sabuncu 2018, https://arxiv.org/abs/1805.07836) for integer labels:
 * `(1 - p^q) / q`, where p is the predicted probability of the true class.
 */
export function categoricalGeneralizedCrossEntropy(yTrue: TensorLike, yPred: TensorLike, q = 0.5): Tensor {
  if (!(q > 0 && q < 1)) throw new Error(`CategoricalGeneralizedCrossEntropy: q must be in (0, 1), got ${q}`);
  const [t, p, numClasses] = alignSparse('CategoricalGeneralizedCrossEntropy', yTrue, yPred);
  const pTrue = sum(mul(p, oneHot(t, numClasses)), -1);
  return div(sub(scalar(1), pow(pTrue, scalar(q))), scalar(q));
}

/**
 * Crossentropy for binary (0/1) classification: `-(y log p + (1 - y) log(1 - p))`, averaged over the last axis.
 * Prefer `fromLogits: true` with a linear last layer: it is exact where sigmoid would saturate.
 */
export class BinaryCrossentropy extends Loss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: BinaryCrossentropyOptions = {}) {
    super('BinaryCrossentropy', 'binary_crossentropy', options);
    this.fromLogits = options.fromLogits ?? false;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    this.axis = options.axis ?? -1;
    checkLabelSmoothing(this.className, this.labelSmoothing);
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor {
    return binaryCrossentropy(yTrue, yPred, { fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis });
  }
  override getConfig(): BinaryCrossentropyConfig {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis };
  }
}

/** Binary crossentropy with a focal factor that down-weights easy examples (Lin et al. 2018). */
export class BinaryFocalCrossentropy extends Loss {
  readonly applyClassBalancing: boolean;
  readonly alpha: number;
  readonly gamma: number;
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: BinaryFocalCrossentropyOptions = {}) {
    super('BinaryFocalCrossentropy', 'binary_focal_crossentropy', options);
    this.applyClassBalancing = options.applyClassBalancing ?? false;
    this.alpha = options.alpha ?? 0.25;
    this.gamma = options.gamma ?? 2;
    this.fromLogits = options.fromLogits ?? false;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    this.axis = options.axis ?? -1;
    checkLabelSmoothing(this.className, this.labelSmoothing);
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor {
    return binaryFocalCrossentropy(yTrue, yPred, {
      applyClassBalancing: this.applyClassBalancing, alpha: this.alpha, gamma: this.gamma,
      fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis,
    });
  }
  override getConfig(): BinaryFocalCrossentropyConfig {
    return {
      ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis,
      applyClassBalancing: this.applyClassBalancing, alpha: this.alpha, gamma: this.gamma,
    };
  }
}

/** Crossentropy for one-hot labels of shape `[batch, numClasses]`. For integer labels use SparseCategoricalCrossentropy. */
export class CategoricalCrossentropy extends Loss {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: CategoricalCrossentropyOptions = {}) {
    super('CategoricalCrossentropy', 'categorical_crossentropy', options);
    this.fromLogits = options.fromLogits ?? false;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    this.axis = options.axis ?? -1;
    checkLabelSmoothing(this.className, this.labelSmoothing);
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor {
    return categoricalCrossentropy(yTrue, yPred, { fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis });
  }
  override getConfig(): CategoricalCrossentropyConfig {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis };
  }
}

/** Alpha-balanced focal crossentropy for one-hot labels (Lin et al. 2018). */
export class CategoricalFocalCrossentropy extends Loss {
  readonly alpha: number | readonly number[];
  readonly gamma: number;
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: CategoricalFocalCrossentropyOptions = {}) {
    super('CategoricalFocalCrossentropy', 'categorical_focal_crossentropy', options);
    this.alpha = options.alpha ?? 0.25;
    this.gamma = options.gamma ?? 2;
    this.fromLogits = options.fromLogits ?? false;
    this.labelSmoothing = options.labelSmoothing ?? 0;
    this.axis = options.axis ?? -1;
    checkLabelSmoothing(this.className, this.labelSmoothing);
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor {
    return categoricalFocalCrossentropy(yTrue, yPred, {
      alpha: this.alpha, gamma: this.gamma, fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis,
    });
  }
  override getConfig(): CategoricalFocalCrossentropyConfig {
    return {
      ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis,
      alpha: typeof this.alpha === 'number' ? this.alpha : [...this.alpha], gamma: this.gamma,
    };
  }
}

/** Crossentropy for integer labels `[batch]` / `[batch, 1]` against `[batch, numClasses]` predictions. */
export class SparseCategoricalCrossentropy extends Loss {
  readonly fromLogits: boolean;
  readonly ignoreClass: number | null;
  constructor(options: SparseCategoricalCrossentropyOptions = {}) {
    super('SparseCategoricalCrossentropy', 'sparse_categorical_crossentropy', options);
    this.fromLogits = options.fromLogits ?? false;
    this.ignoreClass = options.ignoreClass ?? null;
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor {
    return this.callWithMask(yTrue, yPred).values;
  }
  override callWithMask(yTrue: Tensor, yPred: Tensor): MaskedLosses {
    return sparseCrossentropyWithMask(yTrue, yPred, this.fromLogits, this.ignoreClass);
  }
  override getConfig(): SparseCategoricalCrossentropyConfig {
    return { ...super.getConfig(), fromLogits: this.fromLogits, ignoreClass: this.ignoreClass };
  }
}

/** Kullback-Leibler divergence `sum(yTrue log(yTrue / yPred))`, both clipped to [1e-7, 1]. */
export class KLDivergence extends Loss {
  constructor(options: LossOptions = {}) { super('KLDivergence', 'kl_divergence', options); }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return klDivergence(yTrue, yPred); }
}

/** Poisson loss `mean(yPred - yTrue log(yPred + 1e-7))`, for count targets. */
export class Poisson extends Loss {
  constructor(options: LossOptions = {}) { super('Poisson', 'poisson', options); }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return poisson(yTrue, yPred); }
}

export interface CategoricalGeneralizedCrossEntropyOptions extends LossOptions {
  /** In (0, 1): near 0 behaves like crossentropy, near 1 like MAE. Default 0.5. */
  q?: number;
}
export interface CategoricalGeneralizedCrossEntropyConfig extends LossConfig { q: number }

/** Noise-robust generalized crossentropy `(1 - p_true^q) / q` for integer labels. */
export class CategoricalGeneralizedCrossEntropy extends Loss {
  readonly q: number;
  constructor(options: CategoricalGeneralizedCrossEntropyOptions = {}) {
    super('CategoricalGeneralizedCrossEntropy', 'categorical_generalized_cross_entropy', options);
    this.q = options.q ?? 0.5;
    if (!(this.q > 0 && this.q < 1)) throw new Error(`CategoricalGeneralizedCrossEntropy: q must be in (0, 1), got ${this.q}`);
  }
  call(yTrue: Tensor, yPred: Tensor): Tensor { return categoricalGeneralizedCrossEntropy(yTrue, yPred, this.q); }
  override getConfig(): CategoricalGeneralizedCrossEntropyConfig { return { ...super.getConfig(), q: this.q }; }
}

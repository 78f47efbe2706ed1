/**
 * The `Loss` base class: a per-sample function (`call`) plus Keras' `__call__` reduction (`compute`), which
 * applies sample weights and an optional mask and reduces to a scalar as configured.
 */
import { Tensor, broadcastShapes, div, formatShape, mul, reshape, scalar, sum } from '@minikeras/tensor';
import type { TensorLike } from '@minikeras/tensor';
import { EPSILON, asFloat, squeezeOrExpandToSameRank } from './shapes';

/**
 * How `compute` turns per-sample losses into the value that is minimized (Keras names):
 * - `'sum_over_batch_size'` (default) and `'mean'`: the sum of the weighted losses divided by their number of
 *   elements (not by the sum of the weights).
 * - `'sum'`: the sum of the weighted losses.
 * - `'mean_with_sample_weight'`: the sum of the weighted losses divided by the sum of the sample weights.
 * - `'none'`: the weighted per-sample losses, unreduced.
 */
export type Reduction = 'sum_over_batch_size' | 'sum' | 'none' | 'mean' | 'mean_with_sample_weight';

export const REDUCTIONS: readonly Reduction[] = ['sum_over_batch_size', 'sum', 'none', 'mean', 'mean_with_sample_weight'];

/** Options every loss takes. */
export interface LossOptions {
  /** Defaults to the Keras name of the loss, e.g. `'mean_squared_error'`. */
  name?: string;
  reduction?: Reduction;
}

/** What `getConfig()` returns at least: the constructor options, camelCase. */
export interface LossConfig {
  name: string;
  reduction: Reduction;
}

/** Per-sample losses and, for losses that ignore some entries (`ignoreClass`), a 0/1 mask of the kept ones. */
export interface MaskedLosses {
  values: Tensor;
  mask?: Tensor;
}

export function validateReduction(owner: string, reduction: unknown): Reduction {
  if (!(REDUCTIONS as readonly unknown[]).includes(reduction)) {
    throw new Error(`${owner}: invalid reduction ${JSON.stringify(reduction)}; expected one of ${REDUCTIONS.map((r) => `'${r}'`).join(', ')}`);
  }
  return reduction as Reduction;
}

/**
 * Base class of all losses. Subclass it for a custom loss and implement `call(yTrue, yPred)`, returning one
 * value per sample (the batch shape); `compute` then handles weighting and reduction:
 *
 * ```ts
 * class MeanCubicError extends Loss {
 *   constructor(options: LossOptions = {}) { super('MeanCubicError', 'mean_cubic_error', options); }
 *   call(yTrue: Tensor, yPred: Tensor) { return mean(abs(pow(sub(yPred, yTrue), 3)), -1); }
 * }
 * ```
 */
export abstract class Loss {
  readonly name: string;
  readonly reduction: Reduction;
  /** The Keras class name, used in errors and in serialized JSON. */
  readonly className: string;

  constructor(className: string, defaultName: string, options: LossOptions = {}) {
    this.className = className;
    this.name = options.name ?? defaultName;
    this.reduction = validateReduction(className, options.reduction ?? 'sum_over_batch_size');
  }

  /** Per-sample losses: the batch shape, reduced over the feature axis as Keras does. Differentiable. */
  abstract call(yTrue: Tensor, yPred: Tensor): Tensor;

  /** `call` plus the mask of entries that count; only losses with ignored entries override it. */
  callWithMask(yTrue: Tensor, yPred: Tensor): MaskedLosses {
    return { values: this.call(yTrue, yPred) };
  }

  /**
   * Keras' `loss(y_true, y_pred, sample_weight)`: per-sample losses, times `sampleWeight` (a scalar, one weight
   * per sample, or per timestep, broadcast after aligning ranks like Keras), reduced as configured.
   * `mask` is the mask riding with `yPred` (Keras reads `y_pred._keras_mask`; `fit` passes the model output's
   * mask): 1 for entries that count, 0 for masked ones, shaped like the per-sample losses ([batch, steps] for
   * a sequence output). It is merged into the sample weights, so `'sum_over_batch_size'` averages over the
   * unmasked entries only. The result is a scalar tensor unless `reduction` is `'none'`; gradients flow back
   * to `yPred`.
   */
  compute(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike, mask?: TensorLike | null): Tensor {
    const { values, mask: outMask } = this.callWithMask(asFloat(yTrue), asFloat(yPred));
    // Keras 3: the input mask AND the mask of the losses (ignoreClass).
    const inMask = mask === undefined || mask === null ? undefined : asFloat(mask);
    const merged = inMask && outMask ? mul(inMask, outMask) : inMask ?? outMask;
    return reduceWeightedValues(this.className, values, sampleWeight === undefined ? undefined : asFloat(sampleWeight), merged, this.reduction);
  }

  /** The constructor options, camelCase: `new (loss.constructor)(loss.getConfig())` rebuilds the loss. */
  getConfig(): LossConfig {
    return { name: this.name, reduction: this.reduction };
  }
}

/** Wraps a plain `(yTrue, yPred) => Tensor` per-sample function as a `Loss` (Keras' `LossFunctionWrapper`). */
export class LossFunctionWrapper extends Loss {
  readonly fn: (yTrue: Tensor, yPred: Tensor) => Tensor;

  constructor(fn: (yTrue: Tensor, yPred: Tensor) => Tensor, options: LossOptions = {}) {
    super('LossFunctionWrapper', options.name ?? (fn.name || 'loss'), options);
    this.fn = fn;
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = squeezeOrExpandToSameRank(yTrue, yPred);
    const out = this.fn(t, p);
    if (!(out instanceof Tensor)) throw new Error(`LossFunctionWrapper '${this.name}': the loss function must return a Tensor`);
    return out;
  }
}

/**
 * Keras' `reduce_weighted_values`: merges the mask into the sample weights (rescaled by total/valid for the
 * mean reductions, so the mean runs over valid entries only), weights the values, then reduces.
 */
export function reduceWeightedValues(owner: string, values: Tensor, sampleWeight: Tensor | undefined, mask: Tensor | undefined, reduction: Reduction): Tensor {
  let weights = sampleWeight;
  if (mask) {
    let m = mask;
    if (reduction === 'mean' || reduction === 'sum_over_batch_size') {
      let valid = 0;
      for (let i = 0; i < m.size; i++) valid += m.values[i]!;
      // Keras 3: total / (valid + epsilon); an all-masked batch has weight 0 everywhere, hence loss 0.
      m = mul(m, scalar(m.size / (valid + EPSILON)));
    }
    if (weights) {
      weights = mul(...squeezeOrExpandToSameRank(m, alignLeading(weights, m)));
    } else {
      weights = m;
    }
  }
  let weighted = values;
  if (weights) {
    const [v, w] = squeezeOrExpandToSameRank(values, weights);
    try {
      broadcastShapes(owner, v.shape, w.shape);
    } catch {
      throw new Error(`${owner}: sampleWeight of shape ${formatShape(weights.shape)} cannot be broadcast to the per-sample losses of shape ${formatShape(values.shape)}`);
    }
    weighted = mul(v, w);
  }
  return reduceValues(weighted, weights, reduction);
}

/**
 * Per-sample weights `[batch]` against a mask `[batch, steps]`: weights whose shape is a leading part of the
 * mask's get trailing axes of size 1, so each sample's weight covers its steps (Keras 2's `broadcast_weights`).
 * Keras 3 broadcasts them from the right, which raises (or, with as many steps as samples, pairs them wrongly).
 */
export function alignLeading(weights: Tensor, mask: Tensor): Tensor {
  if (weights.rank === 0 || weights.rank >= mask.rank || weights.shape.some((d, i) => d !== mask.shape[i])) return weights;
  const rank1Expand = weights.rank === mask.rank - 1 && mask.shape[mask.rank - 1] === 1;
  if (rank1Expand) return weights;
  return reshape(weights, [...weights.shape, ...new Array<number>(mask.rank - weights.rank).fill(1)]);
}

/**
 * Keras' `apply_mask` with the `'sum'` reduction, as metrics use it: the sample weights times the mask (the
 * mask alone when there are no weights), so a mean metric averages over the unmasked entries.
 */
export function applyMask(sampleWeight: Tensor | undefined, mask: Tensor | undefined): Tensor | undefined {
  if (!mask) return sampleWeight;
  if (!sampleWeight) return mask;
  return mul(...squeezeOrExpandToSameRank(mask, alignLeading(sampleWeight, mask)));
}

function reduceValues(values: Tensor, weights: Tensor | undefined, reduction: Reduction): Tensor {
  if (reduction === 'none' || values.rank === 0) return values;
  const total = sum(values);
  if (reduction === 'sum') return total;
  if (reduction === 'mean_with_sample_weight' && weights) {
    let wsum = 0;
    for (let i = 0; i < weights.size; i++) wsum += weights.values[i]!;
    return wsum === 0 ? mul(total, scalar(0)) : div(total, scalar(wsum));
  }
  // An empty batch sums to 0; dividing by its 0 elements would give NaN, Keras' divide_no_nan gives 0.
  return values.size === 0 ? total : div(total, scalar(values.size));
}

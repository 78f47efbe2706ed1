/**
 * Stateful metrics, Keras style: `updateState` accumulates over the batches of an epoch, `result` reads the
 * running value, `resetState` starts over. State lives in plain JS numbers (float64), so long epochs do not lose
 * precision; the per-batch math runs on tensors without recording gradients.
 */
import { Tensor, broadcastTo, formatShape, mean, mul, noGrad, sum } from '@minikeras/tensor';
import type { TensorLike } from '@minikeras/tensor';
import { asFloat, squeezeOrExpandToSameRank } from '../shapes';
import { applyMask } from '../loss';

/** Whether larger values are better (`'up'`, accuracies) or worse (`'down'`, errors); read by EarlyStopping's `mode: 'auto'`. */
export type MetricDirection = 'up' | 'down';

/** Options every metric takes. */
export interface MetricOptions {
  /** The name shown in logs and History keys. Defaults to the Keras name, e.g. `'binary_accuracy'`. */
  name?: string;
}

/** The configuration every metric has, as `getConfig()` returns it. */
export interface MetricConfig {
  name: string;
}

/** What every metric has: a name, a running `result()`, and `resetState()`. */
export abstract class BaseMetric {
  /** Mutable because `compile` renames a metric to the identifier it was given (`'acc'`, `'mse'`), as Keras does. */
  name: string;
  /** The Keras class name, used in errors and in serialized JSON. */
  readonly className: string;
  readonly direction: MetricDirection | undefined;

  constructor(className: string, defaultName: string, options: MetricOptions = {}, direction?: MetricDirection) {
    this.className = className;
    this.name = options.name ?? defaultName;
    this.direction = direction;
  }

  /** The value accumulated since the last reset (0 before any update, as Keras' divide_no_nan gives). */
  abstract result(): number;
  abstract resetState(): void;

  /** The constructor options, camelCase. */
  getConfig(): MetricConfig {
    return { name: this.name };
  }
}

/** A metric fed with labels and predictions, like everything listed in `compile({ metrics })`. */
export abstract class Metric extends BaseMetric {
  /**
   * Accumulates one batch. `sampleWeight` is a scalar or one weight per sample (or per timestep). `mask` is the
   * mask riding with `yPred` (Keras' `y_pred._keras_mask`, which `fit` and `evaluate` pass): the mean metrics
   * (MeanMetricWrapper: accuracies, mse, ...) count only its unmasked entries, as in Keras; the others ignore
   * it, as Keras' do.
   */
  abstract updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike, mask?: TensorLike | null): void;
}

/**
 * Keras' `reduce_to_samplewise_values`: aligns the weights with the values, reduces values to the weights' rank,
 * weights them, and reduces both to one entry per sample.
 */
function reduceToSamplewise(owner: string, values: Tensor, sampleWeight: Tensor | undefined, reduce: typeof mean): { values: Tensor; weights?: Tensor } {
  let weights = sampleWeight;
  if (weights) {
    [values, weights] = squeezeOrExpandToSameRank(values, weights);
    const weightRank = weights.rank;
    if (values.rank > weightRank) values = reduce(values, range(weightRank, values.rank));
    try {
      weights = broadcastTo(weights, values.shape);
    } catch {
      throw new Error(`${owner}: sampleWeight of shape ${formatShape(sampleWeight!.shape)} cannot be broadcast to the values of shape ${formatShape(values.shape)}`);
    }
    values = mul(values, weights);
    if (weightRank > 1) weights = reduce(weights, range(1, weightRank));
  }
  if (values.rank > 1) values = reduce(values, range(1, values.rank));
  return weights ? { values, weights } : { values };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

function total(t: Tensor): number {
  let s = 0;
  for (let i = 0; i < t.size; i++) s += t.values[i]!;
  return s;
}

/**
 * The (weighted) mean of the values given so far. Also the loss tracker of `fit`: Keras updates it with each
 * batch's loss weighted by the batch size, so the epoch loss is the mean over samples.
 */
export class Mean extends BaseMetric {
  private total = 0;
  private count = 0;

  constructor(options: MetricOptions = {}) {
    super('Mean', 'mean', options);
  }

  /** Adds `values` (any shape; averaged per sample) with optional weights. */
  updateState(values: TensorLike, sampleWeight?: TensorLike): void {
    // Fast path for the loss tracker: one scalar per batch, weighted by the batch size.
    const scalarValue = typeof values === 'number' ? values : values instanceof Tensor && values.rank === 0 ? values.values[0]! : undefined;
    if (scalarValue !== undefined && (sampleWeight === undefined || typeof sampleWeight === 'number')) {
      const w = sampleWeight ?? 1;
      this.total += scalarValue * w;
      this.count += w;
      return;
    }
    noGrad(() => {
      const reduced = reduceToSamplewise(this.className, asFloat(values), sampleWeight === undefined ? undefined : asFloat(sampleWeight), mean);
      this.total += total(reduced.values);
      this.count += reduced.weights ? total(reduced.weights) : reduced.values.rank >= 1 ? reduced.values.shape[0]! : 1;
    });
  }

  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  resetState(): void {
    this.total = 0;
    this.count = 0;
  }
}

/** The (weighted) sum of the values given so far. */
export class Sum extends BaseMetric {
  private total = 0;

  constructor(options: MetricOptions = {}) {
    super('Sum', 'sum', options);
  }

  updateState(values: TensorLike, sampleWeight?: TensorLike): void {
    noGrad(() => {
      const reduced = reduceToSamplewise(this.className, asFloat(values), sampleWeight === undefined ? undefined : asFloat(sampleWeight), sum);
      this.total += total(sum(reduced.values));
    });
  }

  result(): number {
    return this.total;
  }

  resetState(): void {
    this.total = 0;
  }
}

/** A per-sample function `(yTrue, yPred) => Tensor`, as wrapped by `MeanMetricWrapper`. */
export type MetricFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

/**
 * The mean over all samples seen of a per-sample function (Keras' `MeanMetricWrapper`): the accuracies and the
 * loss-shaped metrics (`mse`, `mae`, ...) are all this.
 */
export class MeanMetricWrapper extends Metric {
  readonly fn: MetricFunction;
  private readonly mean: Mean;

  constructor(fn: MetricFunction, options: MetricOptions = {}, className = 'MeanMetricWrapper', defaultName?: string, direction?: MetricDirection) {
    super(className, defaultName ?? (fn.name || 'mean_metric_wrapper'), options, direction);
    this.fn = fn;
    this.mean = new Mean({ name: this.name });
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike, mask?: TensorLike | null): void {
    noGrad(() => {
      const values = this.fn(asFloat(yTrue), asFloat(yPred));
      // Keras: apply_mask(sample_weight, mask, reduction='sum'), the weights times the mask.
      const weights = mask === undefined || mask === null ? sampleWeight
        : applyMask(sampleWeight === undefined ? undefined : asFloat(sampleWeight), asFloat(mask));
      this.mean.updateState(values, weights);
    });
  }

  result(): number {
    return this.mean.result();
  }

  resetState(): void {
    this.mean.resetState();
  }
}

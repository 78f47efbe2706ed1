/**
 * Metrics that average a per-sample loss over the epoch (keras/src/metrics/regression_metrics.py,
 * probabilistic_metrics.py, hinge_metrics.py). They reuse the loss functions, so numbers match the losses.
 */
import { Tensor, neg, square, sub } from '@minikeras/tensor';
import type { TensorLike } from '@minikeras/tensor';
import {
  cosineSimilarity as cosineLoss, logCosh, meanAbsoluteError, meanAbsolutePercentageError, meanSquaredError,
  meanSquaredLogarithmicError,
} from '../regression';
import { binaryCrossentropy, categoricalCrossentropy, klDivergence, poisson, sparseCategoricalCrossentropy } from '../probabilistic';
import { categoricalHinge, hinge, squaredHinge } from '../hinge';
import { asFloat, squeezeOrExpandToSameRank } from '../shapes';
import { Mean, MeanMetricWrapper, Metric } from './metric';
import type { MetricConfig, MetricOptions } from './metric';

/** Mean of `mean((yTrue - yPred)^2)` per sample. */
export class MeanSquaredError extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) { super(meanSquaredError, options, 'MeanSquaredError', 'mean_squared_error', 'down'); }
}

/** Mean of `mean(|yTrue - yPred|)` per sample. */
export class MeanAbsoluteError extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) { super(meanAbsoluteError, options, 'MeanAbsoluteError', 'mean_absolute_error', 'down'); }
}

/** Mean of `100 * mean(|(yTrue - yPred) / yTrue|)` per sample. */
export class MeanAbsolutePercentageError extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(meanAbsolutePercentageError, options, 'MeanAbsolutePercentageError', 'mean_absolute_percentage_error', 'down');
  }
}

/** Mean of `mean((log(yTrue + 1) - log(yPred + 1))^2)` per sample. */
export class MeanSquaredLogarithmicError extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) {
    super(meanSquaredLogarithmicError, options, 'MeanSquaredLogarithmicError', 'mean_squared_logarithmic_error', 'down');
  }
}

/** `sqrt` of the (weighted) mean squared error over everything seen. */
export class RootMeanSquaredError extends Metric {
  private readonly mean = new Mean();
  constructor(options: MetricOptions = {}) { super('RootMeanSquaredError', 'root_mean_squared_error', options, 'down'); }
  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const [t, p] = squeezeOrExpandToSameRank(asFloat(yTrue), asFloat(yPred));
    this.mean.updateState(square(sub(p, t)), sampleWeight);
  }
  result(): number { return Math.sqrt(this.mean.result()); }
  resetState(): void { this.mean.resetState(); }
}

/** Options of the metrics that reduce along a feature axis ({@link CosineSimilarity}). */
export interface AxisMetricOptions extends MetricOptions {
  /** The feature axis. Default -1. */
  axis?: number;
}
/** The configuration of an axis metric, as `getConfig()` returns it. */
export interface AxisMetricConfig extends MetricConfig { axis: number }

/** Mean cosine similarity `sum(l2normalize(yTrue) * l2normalize(yPred))` (positive: 1 is best). */
export class CosineSimilarity extends MeanMetricWrapper {
  readonly axis: number;
  constructor(options: AxisMetricOptions = {}) {
    const axis = options.axis ?? -1;
    super((t: Tensor, p: Tensor) => neg(cosineLoss(t, p, axis)), options, 'CosineSimilarity', 'cosine_similarity', 'up');
    this.axis = axis;
  }
  override getConfig(): AxisMetricConfig { return { ...super.getConfig(), axis: this.axis }; }
}

/** Mean of `mean(log(cosh(yPred - yTrue)))` per sample. */
export class LogCoshError extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) { super(logCosh, options, 'LogCoshError', 'logcosh', 'down'); }
}

/**
 * Options of the crossentropy metrics: `fromLogits` (predictions are logits; default false) and
 * `labelSmoothing` (in [0, 1]; default 0).
 */
export interface CrossentropyMetricOptions extends MetricOptions {
  fromLogits?: boolean;
  labelSmoothing?: number;
}
/** The configuration of {@link BinaryCrossentropy}, as `getConfig()` returns it. */
export interface CrossentropyMetricConfig extends MetricConfig { fromLogits: boolean; labelSmoothing: number }

/** Mean binary crossentropy. */
export class BinaryCrossentropy extends MeanMetricWrapper {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  constructor(options: CrossentropyMetricOptions = {}) {
    const fromLogits = options.fromLogits ?? false, labelSmoothing = options.labelSmoothing ?? 0;
    super((t, p) => binaryCrossentropy(t, p, { fromLogits, labelSmoothing }), options, 'BinaryCrossentropy', 'binary_crossentropy', 'down');
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
  }
  override getConfig(): CrossentropyMetricConfig {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing };
  }
}

/** Options of {@link CategoricalCrossentropy}: the crossentropy options and the class `axis` (default -1). */
export interface CategoricalCrossentropyMetricOptions extends CrossentropyMetricOptions { axis?: number }
/** The configuration of {@link CategoricalCrossentropy}, as `getConfig()` returns it. */
export interface CategoricalCrossentropyMetricConfig extends CrossentropyMetricConfig { axis: number }

/** Mean categorical crossentropy for one-hot labels. */
export class CategoricalCrossentropy extends MeanMetricWrapper {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(options: CategoricalCrossentropyMetricOptions = {}) {
    const fromLogits = options.fromLogits ?? false, labelSmoothing = options.labelSmoothing ?? 0, axis = options.axis ?? -1;
    super((t, p) => categoricalCrossentropy(t, p, { fromLogits, labelSmoothing, axis }), options, 'CategoricalCrossentropy', 'categorical_crossentropy', 'down');
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.axis = axis;
  }
  override getConfig(): CategoricalCrossentropyMetricConfig {
    return { ...super.getConfig(), fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing, axis: this.axis };
  }
}

/** Options of {@link SparseCategoricalCrossentropy}: `fromLogits` (default false). */
export interface SparseCrossentropyMetricOptions extends MetricOptions { fromLogits?: boolean }
/** The configuration of {@link SparseCategoricalCrossentropy}, as `getConfig()` returns it. */
export interface SparseCrossentropyMetricConfig extends MetricConfig { fromLogits: boolean }

/** Mean sparse categorical crossentropy for integer labels. */
export class SparseCategoricalCrossentropy extends MeanMetricWrapper {
  readonly fromLogits: boolean;
  constructor(options: SparseCrossentropyMetricOptions = {}) {
    const fromLogits = options.fromLogits ?? false;
    super((t, p) => sparseCategoricalCrossentropy(t, p, { fromLogits }), options, 'SparseCategoricalCrossentropy', 'sparse_categorical_crossentropy', 'down');
    this.fromLogits = fromLogits;
  }
  override getConfig(): SparseCrossentropyMetricConfig { return { ...super.getConfig(), fromLogits: this.fromLogits }; }
}

/** Mean Kullback-Leibler divergence. */
export class KLDivergence extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) { super(klDivergence, options, 'KLDivergence', 'kl_divergence', 'down'); }
}

/** Mean Poisson loss. */
export class Poisson extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) { super(poisson, options, 'Poisson', 'poisson', 'down'); }
}

/** Mean hinge loss. */
export class Hinge extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) { super(hinge, options, 'Hinge', 'hinge', 'down'); }
}

/** Mean squared hinge loss. */
export class SquaredHinge extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) { super(squaredHinge, options, 'SquaredHinge', 'squared_hinge', 'down'); }
}

/** Mean categorical hinge loss. */
export class CategoricalHinge extends MeanMetricWrapper {
  constructor(options: MetricOptions = {}) { super(categoricalHinge, options, 'CategoricalHinge', 'categorical_hinge', 'down'); }
}

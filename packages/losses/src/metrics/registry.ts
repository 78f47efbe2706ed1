/**
 * Metric names and `getMetric`, with Keras 3's `compile` conventions: the metric is named after the identifier
 * it was given (`'acc'` logs as `acc`), and `'accuracy'` / `'acc'` pick binary, sparse categorical or
 * categorical accuracy from the shapes of the first batch (keras/src/trainers/compile_utils.py).
 */
import type { Tensor, TensorLike } from '@minikeras/tensor';
import { asFloat } from '../shapes';
import { camelKeys, isKerasObjectJson, snakeKeys } from '../keras-json';
import type { KerasObjectJson } from '../keras-json';
import { unknownNameError } from '../suggest';
import type { LossIdentifier } from '../registry';
import { Mean, MeanMetricWrapper, Metric, Sum } from './metric';
import type { BaseMetric, MetricFunction, MetricOptions } from './metric';
import {
  Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
  TopKCategoricalAccuracy,
} from './accuracy';
import {
  BinaryCrossentropy, CategoricalCrossentropy, CategoricalHinge, CosineSimilarity, Hinge, KLDivergence, LogCoshError,
  MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError, MeanSquaredLogarithmicError, Poisson,
  RootMeanSquaredError, SparseCategoricalCrossentropy, SquaredHinge,
} from './loss-metrics';
import { AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives } from './confusion';

/** Which accuracy `'accuracy'` became. */
export type AccuracyVariant = 'binary_accuracy' | 'sparse_categorical_accuracy' | 'categorical_accuracy';

/**
 * Keras' `is_binary_or_sparse_categorical`: binary when yPred has one column; sparse categorical when the labels
 * have lower rank, or one column against several predicted classes; otherwise categorical.
 */
export function accuracyVariantFor(yTrue: { shape: readonly number[] }, yPred: { shape: readonly number[] }): AccuracyVariant {
  const tRank = yTrue.shape.length, pRank = yPred.shape.length;
  const tLast = yTrue.shape[tRank - 1], pLast = yPred.shape[pRank - 1];
  if (pLast === 1) return 'binary_accuracy';
  if (tRank < pRank || (tLast === 1 && pLast !== undefined && pLast > 1)) return 'sparse_categorical_accuracy';
  return 'categorical_accuracy';
}

/**
 * `'accuracy'` from `compile`: becomes BinaryAccuracy, SparseCategoricalAccuracy or CategoricalAccuracy on the
 * first `updateState`, from the shapes of yTrue and yPred (as Keras 3 does when it builds compiled metrics on the
 * first batch), and keeps its given name.
 */
export class AutoAccuracy extends Metric {
  private inner: MeanMetricWrapper | null = null;

  constructor(options: MetricOptions = {}) {
    super('Accuracy', 'accuracy', options, 'up');
  }

  /** The chosen variant, or null before the first batch. */
  get variant(): AccuracyVariant | null {
    return this.inner ? (this.inner.className === 'BinaryAccuracy' ? 'binary_accuracy' : this.inner.className === 'SparseCategoricalAccuracy' ? 'sparse_categorical_accuracy' : 'categorical_accuracy') : null;
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike, mask?: TensorLike | null): void {
    if (!this.inner) {
      const variant = accuracyVariantFor(asFloat(yTrue), asFloat(yPred));
      this.inner = variant === 'binary_accuracy' ? new BinaryAccuracy({ name: this.name })
        : variant === 'sparse_categorical_accuracy' ? new SparseCategoricalAccuracy({ name: this.name })
          : new CategoricalAccuracy({ name: this.name });
    }
    this.inner.updateState(yTrue, yPred, sampleWeight, mask);
  }

  result(): number { return this.inner ? this.inner.result() : 0; }
  resetState(): void { this.inner?.resetState(); }
}

/** Every built-in metric class, by its Keras class name. */
export const METRIC_CLASSES = {
  Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
  SparseTopKCategoricalAccuracy, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
  MeanSquaredLogarithmicError, RootMeanSquaredError, CosineSimilarity, LogCoshError, BinaryCrossentropy,
  CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson, Hinge, SquaredHinge,
  CategoricalHinge, Precision, Recall, AUC, TruePositives, FalsePositives, TrueNegatives, FalseNegatives,
} as const;

/** The Keras class names of the metrics. */
export type MetricClassName = keyof typeof METRIC_CLASSES;

const METRIC_NAMES = {
  accuracy: 'auto', acc: 'auto',
  binary_accuracy: 'BinaryAccuracy', categorical_accuracy: 'CategoricalAccuracy',
  sparse_categorical_accuracy: 'SparseCategoricalAccuracy', top_k_categorical_accuracy: 'TopKCategoricalAccuracy',
  sparse_top_k_categorical_accuracy: 'SparseTopKCategoricalAccuracy',
  mean_squared_error: 'MeanSquaredError', mse: 'MeanSquaredError', MSE: 'MeanSquaredError',
  mean_absolute_error: 'MeanAbsoluteError', mae: 'MeanAbsoluteError', MAE: 'MeanAbsoluteError',
  mean_absolute_percentage_error: 'MeanAbsolutePercentageError', mape: 'MeanAbsolutePercentageError', MAPE: 'MeanAbsolutePercentageError',
  mean_squared_logarithmic_error: 'MeanSquaredLogarithmicError', msle: 'MeanSquaredLogarithmicError', MSLE: 'MeanSquaredLogarithmicError',
  root_mean_squared_error: 'RootMeanSquaredError', cosine_similarity: 'CosineSimilarity',
  log_cosh_error: 'LogCoshError', logcosh: 'LogCoshError',
  binary_crossentropy: 'BinaryCrossentropy', bce: 'BinaryCrossentropy', BCE: 'BinaryCrossentropy',
  categorical_crossentropy: 'CategoricalCrossentropy', sparse_categorical_crossentropy: 'SparseCategoricalCrossentropy',
  kl_divergence: 'KLDivergence', kld: 'KLDivergence', poisson: 'Poisson',
  hinge: 'Hinge', squared_hinge: 'SquaredHinge', categorical_hinge: 'CategoricalHinge',
  precision: 'Precision', recall: 'Recall', auc: 'AUC',
  true_positives: 'TruePositives', false_positives: 'FalsePositives', true_negatives: 'TrueNegatives', false_negatives: 'FalseNegatives',
  // tfjs-layers camelCase names.
  binaryAccuracy: 'BinaryAccuracy', categoricalAccuracy: 'CategoricalAccuracy',
  sparseCategoricalAccuracy: 'SparseCategoricalAccuracy', topKCategoricalAccuracy: 'TopKCategoricalAccuracy',
  sparseTopKCategoricalAccuracy: 'SparseTopKCategoricalAccuracy',
  meanSquaredError: 'MeanSquaredError', meanAbsoluteError: 'MeanAbsoluteError',
  meanAbsolutePercentageError: 'MeanAbsolutePercentageError', meanSquaredLogarithmicError: 'MeanSquaredLogarithmicError',
  rootMeanSquaredError: 'RootMeanSquaredError', cosineSimilarity: 'CosineSimilarity', cosineProximity: 'CosineSimilarity',
  binaryCrossentropy: 'BinaryCrossentropy', categoricalCrossentropy: 'CategoricalCrossentropy',
  sparseCategoricalCrossentropy: 'SparseCategoricalCrossentropy',
  // Keras class names; `'Accuracy'` as a string means the auto-selected accuracy, as in Keras.
  ...Object.fromEntries(Object.keys(METRIC_CLASSES).map((k) => [k, k])) as { [K in MetricClassName]: K },
  Accuracy: 'auto',
} as const satisfies Record<string, MetricClassName | 'auto'>;

/** Every accepted metric name: `'accuracy'`, `'acc'`, `'mse'`, `'auc'`, `'sparseCategoricalAccuracy'`, `'AUC'`, ... */
export type MetricName = keyof typeof METRIC_NAMES;

/** Anything `getMetric` resolves: a name, a metric object, a per-sample function, or Keras JSON. */
export type MetricIdentifier = MetricName | Metric | MetricFunction | KerasObjectJson;

/** Every metric name `compile({ metrics })` accepts, aliases included. */
export const METRIC_NAME_LIST: readonly MetricName[] = Object.keys(METRIC_NAMES) as MetricName[];

/** Whether `name` is one of the metric names `compile` accepts (a type guard). */
export function isMetricName(name: string): name is MetricName {
  return Object.prototype.hasOwnProperty.call(METRIC_NAMES, name);
}

/** Options of {@link getMetric}. */
export interface GetMetricOptions {
  /**
   * The compiled loss. Accepted for tfjs-style call sites; as in Keras 3 it does not decide what `'accuracy'`
   * becomes: the shapes of the first batch do (see `AutoAccuracy`).
   */
  loss?: LossIdentifier;
}

/**
 * Resolves a metric identifier as `compile({ metrics })` does (Keras' `compile_utils.get_metric`): a name
 * builds the metric with default options and names it after the identifier; a `Metric` passes through; a
 * function is wrapped in `MeanMetricWrapper`; Keras JSON is deserialized.
 */
export function getMetric(identifier: MetricIdentifier, _options: GetMetricOptions = {}): Metric {
  if (identifier instanceof Metric) return identifier;
  if (typeof identifier === 'string') {
    if (!isMetricName(identifier)) throw unknownNameError('metric', identifier, METRIC_NAME_LIST);
    const target = METRIC_NAMES[identifier];
    if (target === 'auto') return new AutoAccuracy({ name: identifier });
    return new (METRIC_CLASSES[target] as unknown as new (o: MetricOptions) => Metric)({ name: identifier });
  }
  if (typeof identifier === 'function') return new MeanMetricWrapper(identifier as (t: Tensor, p: Tensor) => Tensor);
  if (isKerasObjectJson(identifier)) return deserializeMetric(identifier);
  throw new Error('getMetric: cannot interpret the identifier as a metric; expected a metric name, a Metric, a (yTrue, yPred) => Tensor function or Keras JSON');
}

/** Keras JSON for a metric: `{ module: 'keras.metrics', class_name, config, registered_name: null }`. */
export function serializeMetric(metric: BaseMetric): KerasObjectJson {
  if (metric instanceof AutoAccuracy) {
    throw new Error(`serializeMetric: '${metric.name}' is chosen from the data; save the identifier '${metric.name}' instead`);
  }
  if (metric instanceof MeanMetricWrapper && metric.className === 'MeanMetricWrapper') {
    throw new Error(`serializeMetric: '${metric.name}' wraps a plain function, which has no config`);
  }
  const builtin = Object.prototype.hasOwnProperty.call(METRIC_CLASSES, metric.className) || metric instanceof Mean || metric instanceof Sum;
  return {
    module: builtin ? 'keras.metrics' : 'minikeras.custom',
    class_name: metric.className,
    config: { ...snakeKeys(metric.getConfig()), dtype: 'float32' },
    registered_name: builtin ? null : metric.className,
  };
}

type MetricClass = new (options?: Record<string, unknown>) => BaseMetric;

/** Rebuilds a metric from Keras JSON; `customObjects` maps your own class names to their classes. */
export function deserializeMetric(json: KerasObjectJson, customObjects: Record<string, MetricClass> = {}): Metric {
  const name = json.class_name;
  const classes: Record<string, MetricClass> = { ...(METRIC_CLASSES as unknown as Record<string, MetricClass>), Mean, Sum, ...customObjects };
  const cls = classes[name];
  if (!cls) throw unknownNameError('metric class', name, Object.keys(classes));
  const known = Object.keys(new cls().getConfig());
  const metric = new cls(camelKeys(name, { ...json.config }, known));
  if (!(metric instanceof Metric)) {
    throw new Error(`deserializeMetric: ${name} is not a (yTrue, yPred) metric and cannot be used in compile`);
  }
  return metric;
}

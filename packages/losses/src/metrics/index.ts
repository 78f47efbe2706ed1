/**
 * Metric classes, in their own namespace because several share Keras' names with losses
 * (`metrics.MeanSquaredError` vs the `MeanSquaredError` loss): `import { metrics } from '@minikeras/losses'`.
 */
export { BaseMetric, Metric, Mean, Sum, MeanMetricWrapper } from './metric';
export type { MetricConfig, MetricDirection, MetricFunction, MetricOptions } from './metric';
export {
  Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
  SparseTopKCategoricalAccuracy, accuracy, binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy,
  topKCategoricalAccuracy, sparseTopKCategoricalAccuracy,
} from './accuracy';
export type { BinaryAccuracyConfig, BinaryAccuracyOptions, TopKConfig, TopKOptions } from './accuracy';
export {
  MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, RootMeanSquaredError,
  CosineSimilarity, LogCoshError, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
  KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge,
} from './loss-metrics';
export type {
  AxisMetricConfig, AxisMetricOptions, CategoricalCrossentropyMetricConfig, CategoricalCrossentropyMetricOptions,
  CrossentropyMetricConfig, CrossentropyMetricOptions, SparseCrossentropyMetricConfig, SparseCrossentropyMetricOptions,
} from './loss-metrics';
export { AUC, Precision, Recall, TruePositives, FalsePositives, TrueNegatives, FalseNegatives } from './confusion';
export type {
  AUCConfig, AUCCurve, AUCOptions, AUCSummationMethod, ConfusionCountConfig, ConfusionCountOptions,
  PrecisionRecallConfig, PrecisionRecallOptions,
} from './confusion';
export {
  AutoAccuracy, METRIC_CLASSES, METRIC_NAME_LIST, accuracyVariantFor, deserializeMetric, getMetric, isMetricName,
  serializeMetric,
} from './registry';
export type { AccuracyVariant, GetMetricOptions, MetricClassName, MetricIdentifier, MetricName } from './registry';

/**
 * @minikeras/losses: every Keras 3 loss (functional camelCase forms and Keras-named classes), the name registry
 * used by `compile`, and the stateful metrics (under the `metrics` namespace).
 */
export { Loss, LossFunctionWrapper, REDUCTIONS, applyMask, reduceWeightedValues } from './loss';
export type { LossConfig, LossOptions, MaskedLosses, Reduction } from './loss';
export {
  meanSquaredError, meanAbsoluteError, meanAbsolutePercentageError, meanSquaredLogarithmicError, huber, logCosh,
  cosineSimilarity, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
  Huber, LogCosh, CosineSimilarity,
} from './regression';
export type { CosineSimilarityConfig, CosineSimilarityOptions, HuberConfig, HuberOptions } from './regression';
export {
  binaryCrossentropy, binaryFocalCrossentropy, categoricalCrossentropy, categoricalFocalCrossentropy,
  sparseCategoricalCrossentropy, klDivergence, poisson, categoricalGeneralizedCrossEntropy, BinaryCrossentropy,
  BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy, SparseCategoricalCrossentropy,
  KLDivergence, Poisson, CategoricalGeneralizedCrossEntropy,
} from './probabilistic';
export type {
  BinaryCrossentropyConfig, BinaryCrossentropyOptions, BinaryFocalCrossentropyConfig, BinaryFocalCrossentropyOptions,
  CategoricalCrossentropyConfig, CategoricalCrossentropyOptions, CategoricalFocalCrossentropyConfig,
  CategoricalFocalCrossentropyOptions, CategoricalGeneralizedCrossEntropyConfig,
  CategoricalGeneralizedCrossEntropyOptions, SparseCategoricalCrossentropyConfig, SparseCategoricalCrossentropyOptions,
} from './probabilistic';
export { hinge, squaredHinge, categoricalHinge, Hinge, SquaredHinge, CategoricalHinge } from './hinge';
export { dice, tversky, Dice, Tversky } from './segmentation';
export type { DiceConfig, DiceOptions, OverlapAxis, TverskyConfig, TverskyOptions } from './segmentation';
export { LOSS_CLASSES, LOSS_NAME_LIST, deserializeLoss, getLoss, isLossName, serializeLoss } from './registry';
export type { LossClass, LossClassName, LossFunction, LossIdentifier, LossName } from './registry';
export type { KerasObjectJson } from './keras-json';
export { EPSILON } from './shapes';

export * as metrics from './metrics';
export { BaseMetric, Metric, Mean, MeanMetricWrapper, getMetric, isMetricName } from './metrics';
export type { MetricConfig, MetricDirection, MetricFunction, MetricIdentifier, MetricName, MetricOptions, GetMetricOptions } from './metrics';

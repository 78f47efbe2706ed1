/**
 * Loss names, `getLoss`, and Keras JSON (de)serialization. Names are a literal union, so a misspelled loss in
 * `compile({ loss: 'mean_sqared_error' })` fails `tsc`; JavaScript callers and JSON still get a runtime error
 * listing the valid names with a "did you mean" guess.
 */
import type { Tensor } from '@minikeras/tensor';
import { Loss, LossFunctionWrapper } from './loss';
import {
  CosineSimilarity, Huber, LogCosh, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
  MeanSquaredLogarithmicError,
} from './regression';
import {
  BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy,
  CategoricalGeneralizedCrossEntropy, KLDivergence, Poisson, SparseCategoricalCrossentropy,
} from './probabilistic';
import { CategoricalHinge, Hinge, SquaredHinge } from './hinge';
import { Dice, Tversky } from './segmentation';
import { camelKeys, isKerasObjectJson, snakeKeys } from './keras-json';
import type { KerasObjectJson } from './keras-json';
import { unknownNameError } from './suggest';

/** Every built-in loss class, by its Keras class name. */
export const LOSS_CLASSES = {
  MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Huber, LogCosh,
  CosineSimilarity, BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
  CategoricalFocalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Poisson,
  CategoricalGeneralizedCrossEntropy, Hinge, SquaredHinge, CategoricalHinge, Dice, Tversky,
} as const;

/** The Keras class names of the losses. */
export type LossClassName = keyof typeof LOSS_CLASSES;

/**
 * String names and the class each builds with default options: Keras' snake_case function names and legacy
 * aliases, tfjs' camelCase names, and the Keras class names (which `keras.losses.get` also accepts).
 */
const LOSS_NAMES = {
  // Keras function names and aliases.
  mean_squared_error: 'MeanSquaredError', mse: 'MeanSquaredError', MSE: 'MeanSquaredError',
  mean_absolute_error: 'MeanAbsoluteError', mae: 'MeanAbsoluteError', MAE: 'MeanAbsoluteError',
  mean_absolute_percentage_error: 'MeanAbsolutePercentageError', mape: 'MeanAbsolutePercentageError', MAPE: 'MeanAbsolutePercentageError',
  mean_squared_logarithmic_error: 'MeanSquaredLogarithmicError', msle: 'MeanSquaredLogarithmicError', MSLE: 'MeanSquaredLogarithmicError',
  binary_crossentropy: 'BinaryCrossentropy', bce: 'BinaryCrossentropy', BCE: 'BinaryCrossentropy',
  binary_focal_crossentropy: 'BinaryFocalCrossentropy',
  categorical_crossentropy: 'CategoricalCrossentropy',
  categorical_focal_crossentropy: 'CategoricalFocalCrossentropy',
  sparse_categorical_crossentropy: 'SparseCategoricalCrossentropy',
  categorical_generalized_cross_entropy: 'CategoricalGeneralizedCrossEntropy',
  kl_divergence: 'KLDivergence', kld: 'KLDivergence', KLD: 'KLDivergence', kullback_leibler_divergence: 'KLDivergence',
  poisson: 'Poisson',
  hinge: 'Hinge', squared_hinge: 'SquaredHinge', categorical_hinge: 'CategoricalHinge',
  huber: 'Huber', huber_loss: 'Huber',
  log_cosh: 'LogCosh', logcosh: 'LogCosh',
  cosine_similarity: 'CosineSimilarity',
  dice: 'Dice', tversky: 'Tversky',
  // tfjs-layers camelCase names.
  meanSquaredError: 'MeanSquaredError', meanAbsoluteError: 'MeanAbsoluteError',
  meanAbsolutePercentageError: 'MeanAbsolutePercentageError', meanSquaredLogarithmicError: 'MeanSquaredLogarithmicError',
  binaryCrossentropy: 'BinaryCrossentropy', binaryFocalCrossentropy: 'BinaryFocalCrossentropy',
  categoricalCrossentropy: 'CategoricalCrossentropy', categoricalFocalCrossentropy: 'CategoricalFocalCrossentropy',
  sparseCategoricalCrossentropy: 'SparseCategoricalCrossentropy',
  kullbackLeiblerDivergence: 'KLDivergence', klDivergence: 'KLDivergence',
  squaredHinge: 'SquaredHinge', categoricalHinge: 'CategoricalHinge',
  huberLoss: 'Huber', logCosh: 'LogCosh', cosineSimilarity: 'CosineSimilarity', cosineProximity: 'CosineSimilarity',
  // Keras class names.
  ...Object.fromEntries(Object.keys(LOSS_CLASSES).map((k) => [k, k])) as { [K in LossClassName]: K },
} as const satisfies Record<string, LossClassName>;

/** Every accepted loss name: `'mse'`, `'categorical_crossentropy'`, `'categoricalCrossentropy'`, `'Huber'`, ... */
export type LossName = keyof typeof LOSS_NAMES;

/** A per-sample loss function, as accepted by `compile({ loss })`. */
export type LossFunction = (yTrue: Tensor, yPred: Tensor) => Tensor;

/** Anything `getLoss` resolves: a name, a loss object, a per-sample function, or Keras JSON. */
export type LossIdentifier = LossName | Loss | LossFunction | KerasObjectJson;

/** Every loss name `compile({ loss })` accepts, aliases included. */
export const LOSS_NAME_LIST: readonly LossName[] = Object.keys(LOSS_NAMES) as LossName[];

/** Whether `name` is one of the loss names `compile` accepts (a type guard). */
export function isLossName(name: string): name is LossName {
  return Object.prototype.hasOwnProperty.call(LOSS_NAMES, name);
}

/**
 * Resolves a loss identifier to a `Loss` object (Keras' `losses.get`): names build the class with default
 * options, `Loss` objects pass through, functions are wrapped in `LossFunctionWrapper`, JSON is deserialized.
 */
export function getLoss(identifier: LossIdentifier): Loss {
  if (identifier instanceof Loss) return identifier;
  if (typeof identifier === 'string') {
    if (!isLossName(identifier)) throw unknownNameError('loss', identifier, LOSS_NAME_LIST);
    return new LOSS_CLASSES[LOSS_NAMES[identifier]]();
  }
  if (typeof identifier === 'function') return new LossFunctionWrapper(identifier);
  if (isKerasObjectJson(identifier)) return deserializeLoss(identifier);
  throw new Error(`getLoss: cannot interpret ${describe(identifier)} as a loss; expected a loss name, a Loss, a (yTrue, yPred) => Tensor function or Keras JSON`);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  return typeof x === 'object' ? 'an object' : `${typeof x} ${String(x)}`;
}

/** Keras JSON for a loss: `{ module: 'keras.losses', class_name, config, registered_name: null }`, snake_case config. */
export function serializeLoss(loss: Loss): KerasObjectJson {
  if (loss instanceof LossFunctionWrapper) {
    throw new Error(`serializeLoss: '${loss.name}' wraps a plain function, which has no config; subclass Loss to make it serializable`);
  }
  const builtin = Object.prototype.hasOwnProperty.call(LOSS_CLASSES, loss.className);
  return {
    module: builtin ? 'keras.losses' : 'minikeras.custom',
    class_name: loss.className,
    config: snakeKeys(loss.getConfig()),
    registered_name: builtin ? null : loss.className,
  };
}

/** A class that can be rebuilt from its camelCase config. */
export type LossClass = new (options?: Record<string, unknown>) => Loss;

/**
 * Rebuilds a loss from Keras JSON (or from a bare name string, as Keras saves `compile(loss='mse')`).
 * `customObjects` maps class names of your own `Loss` subclasses to their classes.
 */
export function deserializeLoss(json: KerasObjectJson | string, customObjects: Record<string, LossClass> = {}): Loss {
  if (typeof json === 'string') return getLoss(json as LossName);
  if (json.class_name === 'function' && typeof json.config === 'string') return getLoss(json.config as LossName);
  const name = json.class_name;
  const cls: LossClass | undefined = (Object.hasOwn(customObjects, name) ? customObjects[name] : undefined)
    ?? (Object.prototype.hasOwnProperty.call(LOSS_CLASSES, name) ? (LOSS_CLASSES[name as LossClassName] as unknown as LossClass) : undefined);
  if (!cls) throw unknownNameError('loss class', name, [...Object.keys(LOSS_CLASSES), ...Object.keys(customObjects)]);
  const known = Object.keys(new cls().getConfig());
  const config = camelKeys(name, { ...json.config }, known);
  // Keras writes reduction=None as null and tf.keras 2 wrote 'auto'.
  if (config.reduction === null) config.reduction = 'none';
  if (config.reduction === 'auto') config.reduction = 'sum_over_batch_size';
  return new cls(config);
}

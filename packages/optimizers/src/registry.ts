/**
 * Lookup by name and Keras-compatible JSON. Names are Keras' (`keras.optimizers.get('adam')`), checked at
 * compile time through `OptimizerName`; JSON is Keras 3's `serialize_keras_object` envelope with snake_case
 * config keys, so files written by Keras load here and the other way round.
 */
import { Adadelta } from './adadelta';
import { Adafactor } from './adafactor';
import { Adagrad } from './adagrad';
import { Adam } from './adam';
import { Adamax } from './adamax';
import { AdamW } from './adamw';
import { Ftrl } from './ftrl';
import { Lion } from './lion';
import { Nadam } from './nadam';
import { Optimizer } from './optimizer';
import { RMSprop } from './rmsprop';
import { SGD } from './sgd';
import { LearningRateSchedule, deserialize as deserializeSchedule, serialize as serializeSchedule } from './schedules';
import type { SerializedSchedule } from './schedules';

/** Every optimizer class by its Keras name, as `compile({ optimizer: 'adam' })` and {@link get} look it up. */
export const OPTIMIZERS = {
  sgd: SGD,
  adam: Adam,
  adamw: AdamW,
  rmsprop: RMSprop,
  adagrad: Adagrad,
  adadelta: Adadelta,
  adamax: Adamax,
  nadam: Nadam,
  ftrl: Ftrl,
  lion: Lion,
  adafactor: Adafactor,
} as const;

/** Keras' optimizer names: a misspelled one is a compile-time error. */
export type OptimizerName = keyof typeof OPTIMIZERS;

/** Keras' JSON for an optimizer (`keras.optimizers.serialize`). */
export interface SerializedOptimizer {
  module?: string;
  class_name: string;
  config: Record<string, unknown>;
  registered_name?: string | null;
}

/** What `compile` and {@link get} accept as an optimizer: a Keras name, an instance, or Keras' JSON. */
export type OptimizerIdentifier = OptimizerName | Optimizer | SerializedOptimizer;

/** camelCase option -> Keras 3 config key, for every option of every optimizer. */
const KERAS_KEYS: Record<string, string> = {
  name: 'name',
  learningRate: 'learning_rate',
  weightDecay: 'weight_decay',
  clipnorm: 'clipnorm',
  globalClipnorm: 'global_clipnorm',
  clipvalue: 'clipvalue',
  useEma: 'use_ema',
  emaMomentum: 'ema_momentum',
  emaOverwriteFrequency: 'ema_overwrite_frequency',
  lossScaleFactor: 'loss_scale_factor',
  gradientAccumulationSteps: 'gradient_accumulation_steps',
  momentum: 'momentum',
  nesterov: 'nesterov',
  beta1: 'beta_1',
  beta2: 'beta_2',
  epsilon: 'epsilon',
  amsgrad: 'amsgrad',
  rho: 'rho',
  centered: 'centered',
  initialAccumulatorValue: 'initial_accumulator_value',
  learningRatePower: 'learning_rate_power',
  l1RegularizationStrength: 'l1_regularization_strength',
  l2RegularizationStrength: 'l2_regularization_strength',
  l2ShrinkageRegularizationStrength: 'l2_shrinkage_regularization_strength',
  beta: 'beta',
  beta2Decay: 'beta_2_decay',
  epsilon1: 'epsilon_1',
  epsilon2: 'epsilon_2',
  clipThreshold: 'clip_threshold',
  relativeStep: 'relative_step',
};
const CAMEL_KEYS: Record<string, string> = Object.fromEntries(Object.entries(KERAS_KEYS).map(([c, s]) => [s, c]));

/** Keys older Keras / tf.keras configs carry that Keras 3 ignores. */
const IGNORED_KERAS_KEYS = new Set(['decay', 'jit_compile', 'is_legacy_optimizer']);

const VALID_NAMES = Object.keys(OPTIMIZERS) as OptimizerName[];

function unknownName(what: string, given: string): Error {
  const suggestion = closest(given.toLowerCase(), VALID_NAMES);
  return new Error(`${what}: unknown optimizer '${given}'; valid names are ${VALID_NAMES.map((n) => `'${n}'`).join(', ')}${suggestion ? `. Did you mean '${suggestion}'?` : ''}`);
}

function lookup(what: string, name: string): (typeof OPTIMIZERS)[OptimizerName] {
  const key = name.toLowerCase();
  if (!Object.hasOwn(OPTIMIZERS, key)) throw unknownName(what, name);
  return OPTIMIZERS[key as OptimizerName];
}

/**
 * An optimizer from a Keras name (case-insensitive at run time, as Keras), an instance (returned as is), or
 * Keras JSON.
 */
export function get(identifier: OptimizerIdentifier): Optimizer {
  if (identifier instanceof Optimizer) return identifier;
  if (typeof identifier === 'string') {
    const Cls = lookup('optimizers.get', identifier);
    return new Cls();
  }
  if (typeof identifier === 'object' && identifier !== null && typeof identifier.class_name === 'string') return deserialize(identifier);
  throw new TypeError(`optimizers.get: could not interpret optimizer identifier ${JSON.stringify(identifier) ?? String(identifier)}; expected a name (${VALID_NAMES.map((n) => `'${n}'`).join(', ')}), an Optimizer or Keras JSON`);
}

/** Keras JSON `{ module, class_name, config, registered_name }` with Keras 3's snake_case config keys. */
export function serialize(optimizer: Optimizer): SerializedOptimizer {
  if (!(optimizer instanceof Optimizer)) throw new TypeError('optimizers.serialize: expected an Optimizer');
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(optimizer.getConfig())) {
    const kerasKey = KERAS_KEYS[key];
    if (kerasKey === undefined) throw new Error(`optimizers.serialize: ${optimizer.className} has option '${key}' with no Keras config key`);
    if (key === 'learningRate' && typeof value !== 'number') {
      if (!(value instanceof LearningRateSchedule)) {
        throw new Error(`optimizers.serialize: ${optimizer.className}'s learning rate is a plain function, which cannot be serialized; use a schedule from optimizers.schedules`);
      }
      config[kerasKey] = serializeSchedule(value);
      continue;
    }
    config[kerasKey] = value;
  }
  return { module: 'keras.optimizers', class_name: optimizer.className, config, registered_name: null };
}

/**
 * Builds an optimizer from Keras JSON (an object or a JSON string), including JSON written by Keras itself:
 * class names match case-insensitively, `module`/`registered_name` are accepted, a nested schedule config
 * becomes a schedule, and Keras 2 keys that Keras 3 ignores (`decay`, `jit_compile`, `is_legacy_optimizer`)
 * are dropped.
 */
export function deserialize(json: SerializedOptimizer | string): Optimizer {
  const obj: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  if (typeof obj !== 'object' || obj === null || typeof (obj as SerializedOptimizer).class_name !== 'string') {
    throw new Error("optimizers.deserialize: expected Keras JSON of the form { class_name: 'Adam', config: {...} }");
  }
  const { class_name: className, config = {} } = obj as SerializedOptimizer;
  const Cls = lookup('optimizers.deserialize', className);
  if (typeof config !== 'object' || config === null) throw new Error(`optimizers.deserialize: the config of '${className}' must be an object`);
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (IGNORED_KERAS_KEYS.has(key)) continue;
    const camel = CAMEL_KEYS[key];
    if (camel === undefined) throw new Error(`optimizers.deserialize: ${className} has no config key '${key}'`);
    if (camel === 'learningRate' && typeof value === 'object' && value !== null) {
      options.learningRate = deserializeSchedule(value as SerializedSchedule);
      continue;
    }
    if (camel === 'name' && value === null) continue;
    options[camel] = value;
  }
  return new (Cls as unknown as new (o: Record<string, unknown>) => Optimizer)(options);
}

/** The valid name closest to `name` by edit distance, if it is close enough to be a likely typo. */
function closest(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) { bestD = d; best = c; }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

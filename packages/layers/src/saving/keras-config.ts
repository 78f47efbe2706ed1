/**
 * The one boundary where minikeras' camelCase configs meet Keras' snake_case JSON, for layers and Sequential
 * models. We write the nesting TensorFlow.js and Keras 2 write (`{ class_name, config }`), which tfjs-layers,
 * Keras 3 (its legacy path) and tfjs' converter all read; we read that and Keras 3's nesting
 * (`{ module, class_name, config, registered_name, build_config }`, `InputLayer` with `batch_shape`,
 * `DTypePolicy` dtypes).
 */
import { ModelFormatError } from './errors';
import { Layer } from '../engine/layer';
import type { SymbolicShape } from '../engine/layer';
import { getRegisteredClass, registeredClassNames } from '../engine/registry';
import { INITIALIZERS, Initializer, getInitializer } from '../initializers';
import type { InitializerIdentifier } from '../initializers';
import { getRegularizer, l1, l1l2, l2 } from '../regularizers';
import type { RegularizerIdentifier } from '../regularizers';
import { ACTIVATIONS, activationForWriter, activationName, didYouMean, getActivation, legacyHardSigmoid } from '../activations';
import type { ActivationIdentifier } from '../activations';

/** The version written into `generatedBy` and `keras_version`. */
export const MINIKERAS_VERSION = '0.1.0';

/** A Keras object in either nesting: tfjs/Keras 2 (`class_name`, `config`) or Keras 3 (plus `module`, ...). */
export interface KerasObjectJson {
  module?: string;
  class_name: string;
  config: Record<string, unknown>;
  registered_name?: string | null;
  build_config?: { input_shape?: SymbolicShape | null } | null;
}

/** The Keras config of a Sequential model, as stored in model.json's `modelTopology`. */
export interface SequentialTopology {
  class_name: 'Sequential';
  config: { name: string; layers: KerasObjectJson[]; build_input_shape?: SymbolicShape };
  keras_version: string;
  backend: string;
}

/** Any model's Keras config as stored in `modelTopology` (Sequential, Functional, ...). */
export interface KerasModelJson {
  class_name: string;
  config: { name?: unknown; layers: KerasObjectJson[]; [key: string]: unknown };
  keras_version: string;
  backend: string;
}

export { ModelFormatError };

export const toSnakeKey = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const toCamelKey = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

// ---- layer class registry -----------------------------------------------------------------------------

/**
 * How the built-in layers' configs are read strictly: the class itself comes from the registry
 * (engine/registry.ts), this table says which keys it takes and which Keras/tfjs keys are accepted only "off".
 */
interface LayerSpec {
  /** camelCase config keys passed, in order, as the leading constructor arguments. */
  positional: readonly string[];
  /** camelCase config keys passed in the options object (base layer options are always accepted). */
  options: readonly string[];
  /**
   * snake_case keys Keras or tfjs write for features minikeras does not have: accepted only with the value
   * that means "off", so a config that needs them fails instead of silently computing something else.
   */
  inactive?: Readonly<Record<string, (v: unknown) => boolean>>;
}

const isNull = (v: unknown) => v == null;
const isFalse = (v: unknown) => v == null || v === false;
const anyValue = () => true;
const channelsLast = (v: unknown) => v == null || v === 'channels_last';

const WEIGHTED_INACTIVE = { activity_regularizer: isNull, kernel_constraint: isNull, bias_constraint: isNull, lora_rank: isNull, lora_alpha: isNull, quantization_config: isNull };

/** The config keys of the built-in layer classes read strictly, by Keras class name. */
export const LAYER_CLASSES: Readonly<Record<string, LayerSpec>> = {
  InputLayer: { positional: [], options: [], inactive: { sparse: isFalse, ragged: isFalse, optional: isFalse } },
  Dense: {
    positional: ['units'],
    options: ['activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer'],
    inactive: WEIGHTED_INACTIVE,
  },
  Conv2D: {
    positional: ['filters', 'kernelSize'],
    options: ['strides', 'padding', 'dataFormat', 'dilationRate', 'groups', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer'],
    inactive: WEIGHTED_INACTIVE,
  },
  MaxPooling2D: { positional: [], options: ['poolSize', 'strides', 'padding', 'dataFormat'] },
  AveragePooling2D: { positional: [], options: ['poolSize', 'strides', 'padding', 'dataFormat'] },
  GlobalAveragePooling2D: { positional: [], options: ['keepdims', 'dataFormat'] },
  GlobalMaxPooling2D: { positional: [], options: ['keepdims', 'dataFormat'] },
  BatchNormalization: {
    positional: [],
    options: ['axis', 'momentum', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer', 'betaRegularizer', 'gammaRegularizer'],
    // renorm_momentum only matters with renorm, which must be off.
    inactive: { beta_constraint: isNull, gamma_constraint: isNull, synchronized: isFalse, renorm: isFalse, renorm_clipping: isNull, renorm_momentum: anyValue },
  },
  LayerNormalization: {
    positional: [],
    options: ['axis', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer', 'betaRegularizer', 'gammaRegularizer'],
    inactive: { beta_constraint: isNull, gamma_constraint: isNull, rms_scaling: isFalse },
  },
  Embedding: {
    positional: ['inputDim', 'outputDim'],
    options: ['embeddingsInitializer', 'embeddingsRegularizer', 'maskZero'],
    // input_length (Keras 2, tfjs) only declared the input shape, which batch_input_shape carries too.
    inactive: { activity_regularizer: isNull, embeddings_constraint: isNull, sparse: isFalse, lora_rank: isNull, lora_alpha: isNull, quantization_config: isNull, input_length: anyValue },
  },
  Dropout: { positional: ['rate'], options: ['noiseShape', 'seed'] },
  Flatten: { positional: [], options: [], inactive: { data_format: channelsLast } },
  Reshape: { positional: ['targetShape'], options: [] },
  Activation: { positional: ['activation'], options: [] },
};

const BASE_KEYS = ['name', 'trainable', 'batchInputShape', 'inputShape', 'batchSize', 'inputDim'];

// ---- initializers, regularizers, activations, dtypes --------------------------------------------------

/** Keras and tfjs initializer class names -> our registry keys. */
const INITIALIZER_CLASSES: Record<string, keyof typeof INITIALIZERS> = {
  Zeros: 'zeros', Ones: 'ones', Constant: 'constant', RandomNormal: 'random_normal', RandomUniform: 'random_uniform',
  TruncatedNormal: 'truncated_normal', VarianceScaling: 'variance_scaling', GlorotUniform: 'glorot_uniform',
  GlorotNormal: 'glorot_normal', HeNormal: 'he_normal', HeUniform: 'he_uniform', LecunNormal: 'lecun_normal',
  LecunUniform: 'lecun_uniform', LeCunNormal: 'lecun_normal', LeCunUniform: 'lecun_uniform', Identity: 'identity',
  IdentityInitializer: 'identity', Orthogonal: 'orthogonal', OrthogonalInitializer: 'orthogonal',
};

/** Writes an initializer as `{ class_name, config }`; random ones carry `seed: null` when unseeded, as Keras writes. */
export function serializeInitializer(identifier: InitializerIdentifier, owner: string): KerasObjectJson {
  const init = getInitializer(identifier, owner);
  const config: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(init.getConfig())) config[toSnakeKey(k)] = v;
  if ('seed' in init && config.seed === undefined) config.seed = null;
  // tfjs registers LeCunNormal, Keras LecunNormal: the VarianceScaling they both stand for reads in both.
  if (init.className === 'LecunNormal' || init.className === 'LecunUniform') {
    return { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_in', distribution: init.className === 'LecunNormal' ? 'truncated_normal' : 'uniform', seed: config.seed } };
  }
  return { class_name: init.className, config };
}

/** Reads an initializer name or `{ class_name, config }`; a default-configured one comes back as its name. */
export function deserializeInitializer(value: unknown, where: string): InitializerIdentifier {
  if (typeof value === 'string') {
    getInitializer(value as InitializerIdentifier, where);
    return value as InitializerIdentifier;
  }
  const obj = asKerasObject(value, where, 'an initializer');
  const key = Object.hasOwn(INITIALIZER_CLASSES, obj.class_name) ? INITIALIZER_CLASSES[obj.class_name] : undefined;
  if (!key) throw new Error(`${where}: unknown initializer class '${obj.class_name}'${didYouMean(obj.class_name, Object.keys(INITIALIZER_CLASSES))}; supported: ${Object.keys(INITIALIZER_CLASSES).join(', ')}`);
  const cls = INITIALIZERS[key] as unknown as new (options?: Record<string, unknown>) => Initializer;
  const known = [...Object.keys(new cls().getConfig()), 'seed'];
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj.config ?? {})) {
    const camel = toCamelKey(k);
    // Keras 3.16 writes input_axes / output_axes (which kernel axes count as fan-in / fan-out) on every
    // variance-scaling initializer; null is the default rule, the only one minikeras implements.
    if ((k === 'input_axes' || k === 'output_axes') && !known.includes(camel)) {
      if (v === null) continue;
      throw new Error(`${where}: initializer ${obj.class_name} '${k}' = ${JSON.stringify(v)} is not supported by minikeras (only null, the default fan computation)`);
    }
    if (!known.includes(camel)) throw new Error(`${where}: initializer ${obj.class_name} has no config key '${k}'; expected ${known.map(toSnakeKey).join(', ')}`);
    if (v === null) continue;
    // Keras 2 and tfjs call the truncated normal 'normal'.
    options[camel] = camel === 'distribution' && (v === 'normal' || v === 'truncatedNormal') ? 'truncated_normal' : camel === 'mode' && typeof v === 'string' ? toSnakeKey(v) : v;
  }
  return Object.keys(options).length === 0 ? key : new cls(options);
}

/**
 * Regularizers are written as `L1L2`, the one class both tfjs and Keras register; reading maps an `L1L2` with
 * one zero term back to `L1` or `L2`, which penalize identically.
 */
export function serializeRegularizer(identifier: RegularizerIdentifier | null | undefined, owner: string): KerasObjectJson | null {
  if (identifier == null) return null;
  const r = getRegularizer(identifier, owner);
  return { class_name: 'L1L2', config: { l1: r.l1, l2: r.l2 } };
}

export function deserializeRegularizer(value: unknown, where: string): RegularizerIdentifier | null {
  if (value == null) return null;
  if (typeof value === 'string') return getRegularizer(value as RegularizerIdentifier, where);
  const obj = asKerasObject(value, where, 'a regularizer');
  const c = obj.config ?? {};
  const num = (k: string): number => {
    const v = c[k] ?? 0;
    if (typeof v !== 'number') throw new Error(`${where}: regularizer ${obj.class_name} needs a number for '${k}', got ${JSON.stringify(v)}`);
    return v;
  };
  for (const k of Object.keys(c)) {
    if (k !== 'l1' && k !== 'l2') throw new Error(`${where}: regularizer ${obj.class_name} has no config key '${k}'; expected l1, l2`);
  }
  switch (obj.class_name) {
    case 'L1': return l1(num('l1'));
    case 'L2': return l2(num('l2'));
    case 'L1L2': {
      const a = num('l1'), b = num('l2');
      if (a === 0 && b !== 0) return l2(b);
      if (b === 0 && a !== 0) return l1(a);
      return l1l2({ l1: a, l2: b });
    }
    default: throw new Error(`${where}: unknown regularizer class '${obj.class_name}'; supported: L1, L2, L1L2`);
  }
}

function serializeActivation(identifier: ActivationIdentifier | null, owner: string): string {
  // A layer's getConfig names the tfjs hard sigmoid 'hardSigmoid' (activationName), which stays so in the file.
  const name = identifier === 'hardSigmoid' ? identifier : activationName(identifier);
  if (!Object.hasOwn(ACTIVATIONS, name) && name !== 'hardSigmoid') {
    throw new Error(`${owner}: activation '${name}' is a custom function, which cannot be saved; use one of ${Object.keys(ACTIVATIONS).join(', ')}`);
  }
  return name;
}

/** True while reading a file written by tfjs or Keras 1/2 (set by `modelFromTopology` from `keras_version`). */
let readingLegacyFile = false;

function deserializeActivation(value: unknown, where: string): ActivationIdentifier {
  // Keras 3 may write a builtin as { class_name: 'function', config: 'relu' }.
  const name = typeof value === 'object' && value !== null && typeof (value as { config?: unknown }).config === 'string' ? (value as { config: string }).config : value;
  if (typeof name !== 'string') throw new Error(`${where}: activation must be a name such as 'relu', got ${JSON.stringify(value)}`);
  // tfjs writes camelCase names for some ('hardSigmoid'); getActivation knows those spellings.
  getActivation(name as ActivationIdentifier, where);
  return activationForWriter(name, readingLegacyFile);
}

/**
 * Accepts 'float32' or a Keras 3 DTypePolicy naming float32: minikeras computes in float32 only. An
 * InputLayer may say int32 (token ids for an Embedding), which float32 tensors hold exactly up to 2^24.
 */
function checkDtype(value: unknown, where: string, inputLayer: boolean): void {
  if (value == null) return;
  const name = typeof value === 'string' ? value : (value as { config?: { name?: unknown } })?.config?.name;
  if (name !== 'float32' && !(inputLayer && name === 'int32')) throw new Error(`${where}: dtype ${JSON.stringify(value)} is not supported; minikeras layers compute in float32`);
}

function asKerasObject(value: unknown, where: string, what: string): KerasObjectJson {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { class_name?: unknown }).class_name !== 'string') {
    throw new Error(`${where}: expected ${what} as { class_name, config }, got ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  const config = (value as { config?: unknown }).config;
  if (config !== undefined && config !== null && (typeof config !== 'object' || Array.isArray(config))) {
    throw new Error(`${where}: the config of ${(value as KerasObjectJson).class_name} must be an object, got ${JSON.stringify(config)?.slice(0, 200)}`);
  }
  return value as KerasObjectJson;
}

// ---- layers -------------------------------------------------------------------------------------------

/** Keys of every JS object: never a Keras config key, and read from a file they must not reach a prototype. */
const OBJECT_KEYS = new Set(['__proto__', 'constructor', 'prototype', ...Object.getOwnPropertyNames(Object.prototype)]);

/** True for '__proto__', 'constructor', 'toString', ...: keys a config read from a file must not have. */
export function isObjectKey(key: string): boolean {
  return OBJECT_KEYS.has(key) || OBJECT_KEYS.has(toCamelKey(key));
}

function checkConfigKey(key: string, where: string): void {
  if (isObjectKey(key)) {
    throw new Error(`${where}: '${key}' is not a config key (it names a property of every JavaScript object); the config is corrupt or was not written by Keras`);
  }
}

const isInitializerKey = (k: string) => k.endsWith('Initializer');
const isRegularizerKey = (k: string) => k.endsWith('Regularizer');
// Recurrent layers have a second activation; its 'hard_sigmoid_tfjs' (the 0.2x + 0.5 form) is saved as tfjs
// and Keras 2 name it, 'hard_sigmoid', and read back as that form from their files.
const isActivationKey = (k: string) => k === 'activation' || k === 'recurrentActivation';

/** A layer as `{ class_name, config }` with Keras' snake_case keys. */
export function serializeLayer(layer: Layer): KerasObjectJson {
  const owner = `${layer.className} '${layer.name}'`;
  if ((getRegisteredClass(layer.className) as unknown) !== layer.constructor) {
    throw new Error(`${owner}: cannot be saved: no class is registered as '${layer.className}'; give the class a static className and call registerClass(${layer.constructor.name}) so a loader can rebuild it`);
  }
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(layer.getConfig())) {
    if (value === undefined) continue;
    config[toSnakeKey(key)] = isInitializerKey(key) ? serializeInitializer(value as InitializerIdentifier, owner)
      : isRegularizerKey(key) ? serializeRegularizer(value as RegularizerIdentifier | null, owner)
        : isActivationKey(key) ? serializeActivation(value === 'hard_sigmoid_tfjs' ? legacyHardSigmoid : value as ActivationIdentifier | null, owner)
          : Array.isArray(value) ? [...value] : value;
  }
  if (layer.className === 'InputLayer') {
    // Keras' InputLayer config: no `trainable`; `sparse` is part of it (tfjs' too).
    delete config.trainable;
    config.sparse = false;
  }
  if (config.dtype === undefined) config.dtype = 'float32';
  return { class_name: layer.className, config };
}

/**
 * Rebuilds a layer from `{ class_name, config }` in either nesting. Unknown classes and config keys are
 * errors naming `where`; so are Keras features minikeras lacks (constraints, lora, ...) when they are on.
 */
export function deserializeLayer(value: unknown, where: string): Layer {
  const obj = asKerasObject(value, where, 'a layer');
  const spec = Object.hasOwn(LAYER_CLASSES, obj.class_name) ? LAYER_CLASSES[obj.class_name] : undefined;
  if (!spec) return deserializeRegistered(obj, where);
  const here = `${where} (${obj.class_name}${typeof obj.config?.name === 'string' ? ` '${obj.config.name}'` : ''})`;
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj.config ?? {})) {
    checkConfigKey(key, here);
    if (key === 'dtype') { checkDtype(value, here, obj.class_name === 'InputLayer'); continue; }
    const inactive = spec.inactive && Object.hasOwn(spec.inactive, key) ? spec.inactive[key] : undefined;
    if (inactive) {
      if (!inactive(value)) throw new Error(`${here}: '${key}' = ${JSON.stringify(value)} is not supported by minikeras`);
      continue;
    }
    // Keras 3's InputLayer says batch_shape where everyone else says batch_input_shape.
    const camel = obj.class_name === 'InputLayer' && key === 'batch_shape' ? 'batchInputShape' : toCamelKey(key);
    if (!spec.positional.includes(camel) && !spec.options.includes(camel) && !BASE_KEYS.includes(camel)) {
      const known = [...spec.positional, ...spec.options, ...BASE_KEYS].map(toSnakeKey);
      throw new Error(`${here}: unknown config key '${key}'${didYouMean(key, known)}; expected ${known.join(', ')}`);
    }
    args[camel] = isInitializerKey(camel) ? deserializeInitializer(value, `${here} ${key}`)
      : isRegularizerKey(camel) ? deserializeRegularizer(value, `${here} ${key}`)
        : isActivationKey(camel) ? (value == null ? null : deserializeActivation(value, `${here} ${key}`))
          : value;
  }
  const positional = spec.positional.map((k) => {
    if (args[k] === undefined) throw new Error(`${here}: the config has no '${toSnakeKey(k)}'`);
    const v = args[k];
    delete args[k];
    return v;
  });
  const cls = getRegisteredClass(obj.class_name) as unknown as (new (...a: unknown[]) => Layer) | undefined;
  if (!cls) throw new Error(`${here}: the built-in class '${obj.class_name}' is not registered (load models through loadModel / fromArtifacts / modelFromJSON, which register every built-in class)`);
  try {
    return new cls(...positional, args);
  } catch (e) {
    throw new Error(`${here}: ${(e as Error).message}`);
  }
}

// ---- classes without a spec: models, merge layers, custom classes ----------------------------------

/**
 * A registered class rebuilt with its `fromConfig` from the camelCased config. Keys ending in Initializer or
 * Regularizer and `activation` are read as everywhere else; nested Keras objects (a model's layers) stay as
 * they are, for the class to read.
 */
function deserializeRegistered(obj: KerasObjectJson, where: string): Layer {
  const cls = getRegisteredClass(obj.class_name);
  const here = `${where} (${obj.class_name}${typeof obj.config?.name === 'string' ? ` '${obj.config.name}'` : ''})`;
  if (!cls) {
    const known = registeredClassNames();
    throw new Error(`${where}: layer class '${obj.class_name}' is not available in minikeras${didYouMean(obj.class_name, known)}; the layer classes it can load are ${known.join(', ')} (a custom class must be registered with registerClass before loading)`);
  }
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj.config ?? {})) {
    checkConfigKey(key, here);
    if (key === 'dtype') { checkDtype(value, here, false); continue; }
    const camel = toCamelKey(key);
    config[camel] = isInitializerKey(camel) ? deserializeInitializer(value, `${here} ${key}`)
      : isRegularizerKey(camel) ? deserializeRegularizer(value, `${here} ${key}`)
        : isActivationKey(camel) ? (value == null ? null : deserializeActivation(value, `${here} ${key}`))
          : value;
  }
  let layer: unknown;
  try {
    layer = cls.fromConfig(config);
  } catch (e) {
    throw new Error(`${here}: ${(e as Error).message}`);
  }
  if (!(layer instanceof Layer)) throw new Error(`${here}: the class registered as '${obj.class_name}' did not build a Layer`);
  return layer;
}

// ---- models -------------------------------------------------------------------------------------------

/** A model's Keras config (`modelTopology` in model.json), in the nesting tfjs writes. */
export function modelToTopology(model: Layer): KerasModelJson {
  const { class_name, config } = serializeLayer(model);
  return { class_name, config: config as KerasModelJson['config'], keras_version: `minikeras ${MINIKERAS_VERSION}`, backend: 'minikeras' };
}

/** True for a model object (anything with compile/fit), without importing the model classes. */
export function isModel(value: unknown): value is Layer & { compile: unknown } {
  return value instanceof Layer && typeof (value as { compile?: unknown }).compile === 'function';
}

/**
 * Rebuilds an untrained model from its Keras config: model.json's `modelTopology` (also wrapped in
 * `model_config`, as tfjs' converter writes it), Keras 3's `model.to_json()`, or a JSON string of either.
 */
export function modelFromTopology(json: unknown, file = 'model JSON'): Layer {
  let topology = json;
  if (typeof topology === 'string') {
    try {
      topology = JSON.parse(topology);
    } catch (e) {
      throw new ModelFormatError(file, `not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof topology === 'object' && topology !== null && 'model_config' in topology) topology = (topology as { model_config: unknown }).model_config;
  if (typeof topology !== 'object' || topology === null || typeof (topology as { class_name?: unknown }).class_name !== 'string') {
    throw new ModelFormatError(file, `expected a Keras model config { class_name: 'Sequential' | 'Functional', config: { layers: [...] } }, got ${JSON.stringify(topology)?.slice(0, 200)}`);
  }
  const { class_name: className } = topology as KerasObjectJson;
  let config = (topology as { config?: unknown }).config;
  // Keras 2.0 wrote a Sequential's config as the bare list of layers.
  if (className === 'Sequential' && Array.isArray(config)) config = { layers: config };
  let model: Layer;
  // Names mean what the writer meant: tfjs' and Keras 2's hard_sigmoid is not Keras 3's.
  const version = (topology as { keras_version?: unknown }).keras_version;
  const previous = readingLegacyFile;
  readingLegacyFile = typeof version === 'string' && /^(tfjs-layers|[12]\.)/.test(version);
  try {
    model = deserializeLayer({ class_name: className, config: config as Record<string, unknown> }, 'the model');
  } catch (e) {
    throw new ModelFormatError(file, (e as Error).message);
  } finally {
    readingLegacyFile = previous;
  }
  if (!isModel(model)) throw new ModelFormatError(file, `the top-level object is a ${className} layer, not a model (Sequential or Functional)`);
  return model;
}

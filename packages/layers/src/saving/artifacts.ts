/**
 * In-memory model artifacts in TensorFlow.js' Layers format (`tf.io.ModelArtifacts`): the Keras config, the
 * weight specs and one little-endian buffer of weight values, plus the training config and optimizer state.
 * Every storage backend (directories, IndexedDB, downloads, URLs) converts to and from this one shape, and
 * all checking of what was read happens here, before any model is handed out.
 */
import { Tensor } from '@minikeras/tensor';
import type { Variable } from '@minikeras/tensor';
import { Optimizer, deserialize as deserializeOptimizer, serialize as serializeOptimizer } from '@minikeras/optimizers';
import type { SerializedOptimizer } from '@minikeras/optimizers';
import { LOSS_CLASSES, Loss, Metric, deserializeLoss, getLoss, getMetric, isLossName, isMetricName, metrics as metricsNs, serializeLoss } from '@minikeras/losses';
import type { KerasObjectJson as LossJson, LossName, MetricName } from '@minikeras/losses';
import type { Model } from '../models/model';
import type { OutputTarget } from '../training/compile';
import { MINIKERAS_VERSION, ModelFormatError, isObjectKey, modelFromTopology, modelToTopology } from './keras-config';
import { withWeightCheck, withoutRandomInit } from '../engine/seed-generator';
import type { LoadingWeightCheck } from '../engine/seed-generator';
import { MAX_MODEL_BYTES, byteCountProblem, checkWeightSpecs, quantizationOf, shapeSize } from './manifest';
import type { CheckedWeight } from './manifest';
import type { KerasModelJson, SequentialTopology } from './keras-config';

/** The `format` field of a TensorFlow.js Layers `model.json`, written on save and required on load. */
export const LAYERS_MODEL_FORMAT = 'layers-model';
export const GENERATED_BY = `minikeras v${MINIKERAS_VERSION}`;

export type WeightDtype = 'float32' | 'int32';

/** One entry of a weights manifest (`tf.io.WeightsManifestEntry`). */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: WeightDtype | 'bool' | 'string' | 'complex64';
  /** 'optimizer' marks optimizer state, which inference ignores. */
  group?: 'model' | 'optimizer';
  quantization?: unknown;
}

/** tfjs' `TrainingConfig`: how the model was compiled. */
export interface TrainingConfig {
  optimizer_config: SerializedOptimizer;
  loss: string | LossJson | unknown;
  metrics?: (string | LossJson)[] | unknown;
  weighted_metrics?: unknown;
  loss_weights?: unknown;
  sample_weight_mode?: unknown;
}

/** What `toArtifacts` returns and `fromArtifacts` takes; structurally a `tf.io.ModelArtifacts`. */
export interface ModelArtifacts {
  modelTopology: KerasModelJson | SequentialTopology | Record<string, unknown>;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: TrainingConfig;
  weightSpecs?: WeightSpec[];
  /** All weight values in `weightSpecs` order, little-endian; several buffers are read as one. */
  weightData?: ArrayBuffer | ArrayBuffer[];
  userDefinedMetadata?: Record<string, unknown>;
}

/** Options of `model.save` and `model.toArtifacts`. */
export interface SaveOptions {
  /** Save the optimizer's config and state and the loss/metrics, so training resumes exactly. Default true. */
  includeOptimizer?: boolean;
}

/** Options of `loadModel` and `fromArtifacts` (Keras 3 `keras.models.load_model`'s `compile`). */
export interface LoadOptions {
  /** Compile the model with the saved training config and restore the optimizer state. Default true. */
  compile?: boolean;
}

/** Where the bytes of each weight came from, for error messages (e.g. the shard file name). */
export interface ArtifactSource {
  /** The file (or description) errors name: 'dir/model.json', 'indexeddb://x', ... */
  file: string;
  /** Per weight spec, the file its bytes were read from. */
  weightFiles?: readonly string[];
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---- saving -------------------------------------------------------------------------------------------

/** The model as tfjs ModelArtifacts, entirely in memory. */
export function toArtifacts(model: Model, options: SaveOptions = {}): ModelArtifacts {
  const includeOptimizer = options.includeOptimizer ?? true;
  const modelTopology = modelToTopology(model);
  const named: { spec: WeightSpec; values: Float32Array | Int32Array }[] = [];
  const seen = new Set<string>();
  for (const w of model.weights) {
    if (seen.has(w.name)) throw new Error(`${model.label}: two weights are named '${w.name}'; give the layers unique names before saving`);
    seen.add(w.name);
    named.push({ spec: { name: w.name, shape: [...w.shape], dtype: 'float32' }, values: w.values as Float32Array });
  }
  const artifacts: ModelArtifacts = { modelTopology, format: LAYERS_MODEL_FORMAT, generatedBy: GENERATED_BY, convertedBy: null };
  if (includeOptimizer && model.isCompiled) {
    const compiled = model.requireCompiled('save');
    const trainingConfig = trainingConfigOf(model.label, compiled.optimizer, compiled.outputs);
    if (trainingConfig) {
      artifacts.trainingConfig = trainingConfig;
      for (const entry of compiled.optimizer.getState()) {
        // The learning rate is in optimizer_config already; leaving it out gives tfjs' layout
        // (iteration first, then the slots), so tfjs can restore an Adam state too.
        if (entry.name === 'learning_rate') continue;
        const dtype: WeightDtype = entry.value.dtype === 'int32' ? 'int32' : 'float32';
        named.push({ spec: { name: entry.name, shape: [...entry.value.shape], dtype, group: 'optimizer' }, values: entry.value.values as Float32Array | Int32Array });
      }
    }
  }
  artifacts.weightSpecs = named.map((n) => n.spec);
  artifacts.weightData = encodeWeights(named.map((n) => n.values));
  // The layers' seed generators (Dropout masks, noise): not weights for tfjs or Keras, so they ride in the
  // metadata, which tfjs keeps and ignores. Restoring them makes a resumed run draw what an uninterrupted one would.
  const generators = model.seedGenerators;
  if (generators.length > 0) {
    artifacts.userDefinedMetadata = { minikeras: { seedGenerators: generators.map((g) => ({ name: g.state.name, state: [g.seed, g.counter] })) } };
  }
  return artifacts;
}

function encodeWeights(arrays: readonly (Float32Array | Int32Array)[]): ArrayBuffer {
  const total = arrays.reduce((p, a) => p + a.length * 4, 0);
  const out = new ArrayBuffer(total);
  const bytes = new Uint8Array(out);
  const view = new DataView(out);
  let offset = 0;
  for (const a of arrays) {
    if (LITTLE_ENDIAN) {
      bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.length * 4), offset);
    } else {
      for (let i = 0; i < a.length; i++) {
        if (a instanceof Float32Array) view.setFloat32(offset + i * 4, a[i]!, true);
        else view.setInt32(offset + i * 4, a[i]!, true);
      }
    }
    offset += a.length * 4;
  }
  return out;
}

/**
 * tfjs' training config: the loss and metrics by name when they are a default-configured built-in (what
 * tfjs itself writes and reads), else as Keras JSON; the optimizer as Keras JSON. A loss that wraps a plain
 * function has no config: then, as Keras does, the model is saved uncompiled, with a warning.
 */
export function trainingConfigOf(owner: string, optimizer: Optimizer, outputs: readonly OutputTarget[]): TrainingConfig | null {
  const single = outputs.length === 1;
  const losses: Record<string, string | LossJson | null> = {};
  try {
    for (const o of outputs) losses[o.name] = o.loss ? lossIdentifier(o.loss) : null;
  } catch (e) {
    console.warn(`${owner}: saving without the optimizer and training config: ${(e as Error).message}`);
    return null;
  }
  let optimizerConfig: SerializedOptimizer;
  try {
    optimizerConfig = serializeOptimizer(optimizer);
  } catch (e) {
    console.warn(`${owner}: saving without the optimizer and training config: ${(e as Error).message}`);
    return null;
  }
  const metricIds: Record<string, (string | LossJson)[]> = {};
  for (const o of outputs) {
    metricIds[o.name] = [];
    for (const m of o.metrics) {
      try {
        metricIds[o.name]!.push(metricIdentifier(m, single ? '' : `${o.name}_`));
      } catch (e) {
        console.warn(`${owner}: metric '${m.name}' is not saved: ${(e as Error).message}`);
      }
    }
  }
  const config: TrainingConfig = {
    loss: single ? losses[outputs[0]!.name] : losses,
    metrics: single ? metricIds[outputs[0]!.name] : metricIds,
    optimizer_config: { class_name: optimizerConfig.class_name, config: optimizerConfig.config },
  };
  if (!single && outputs.some((o) => o.weight !== 1)) config.loss_weights = Object.fromEntries(outputs.map((o) => [o.name, o.weight]));
  return config;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function lossIdentifier(loss: Loss): string | LossJson {
  const json = serializeLoss(loss);
  if (isLossName(loss.name) && Object.hasOwn(LOSS_CLASSES, loss.className)) {
    const byName = getLoss(loss.name as LossName);
    if (byName.className === loss.className && sameJson(serializeLoss(byName), json)) return loss.name;
  }
  return json;
}

/** A metric by the name it was compiled with (`prefix` is the '<output>_' a multi-output model added). */
function metricIdentifier(metric: Metric, prefix = ''): string | LossJson {
  const name = prefix && metric.name.startsWith(prefix) ? metric.name.slice(prefix.length) : metric.name;
  if (metric instanceof metricsNs.AutoAccuracy) return name;
  const json = metricsNs.serializeMetric(metric);
  if (isMetricName(name)) {
    const byName = getMetric(name as MetricName);
    if (byName.className === metric.className && sameJson({ ...metricsNs.serializeMetric(byName), config: { ...(metricsNs.serializeMetric(byName).config as object), name: metric.name } }, json)) return name;
  }
  return json;
}

// ---- loading ------------------------------------------------------------------------------------------

/**
 * Rebuilds a model from artifacts (ours, tfjs', or tfjs' converter's). Everything is checked before the model
 * is returned: the format, the Keras config, every weight's presence, shape, dtype and byte range; NaN
 * weights only warn. With a training config (and `compile` not false) the model comes back compiled with its
 * optimizer state restored.
 */
export function fromArtifacts(artifacts: ModelArtifacts, options: LoadOptions = {}, source: ArtifactSource = { file: 'model artifacts' }): Model {
  const file = source.file;
  if (typeof artifacts !== 'object' || artifacts === null) throw new ModelFormatError(file, `expected model artifacts { modelTopology, weightSpecs, weightData }, got ${String(artifacts)}`);
  if (artifacts.format !== undefined && artifacts.format !== null && artifacts.format !== LAYERS_MODEL_FORMAT) {
    throw new ModelFormatError(file, `format is '${artifacts.format}'; minikeras loads TensorFlow.js '${LAYERS_MODEL_FORMAT}' models${artifacts.format === 'graph-model' ? ' (a graph model has no Keras layers to rebuild)' : ''}`);
  }
  if (artifacts.modelTopology == null) throw new ModelFormatError(file, 'has no modelTopology (the Keras model config)');
  if (artifacts.modelTopology instanceof ArrayBuffer) throw new ModelFormatError(file, 'modelTopology is binary (a TensorFlow GraphDef), not a Keras model config');
  // Everything about the weights is checked before the model exists: the specs (shapes, dtypes, limits), the
  // bytes present against them, then, as the layers are built, each weight they create against the manifest.
  const specs = artifacts.weightSpecs;
  let checked: CheckedWeight[] | null = null;
  if (specs !== undefined) {
    const { weights, end } = checkWeightSpecs(specs, file);
    const problem = byteCountProblem(weights, end, weightDataLength(artifacts.weightData, file));
    if (problem) {
      const at = problem.weight ? weights.indexOf(problem.weight) : weights.length - 1;
      throw new ModelFormatError(source.weightFiles?.[at] ?? file, problem.message);
    }
    checked = weights;
  } else if (artifacts.weightData !== undefined) {
    throw new ModelFormatError(file, 'has weightData but no weightSpecs describing it');
  }
  // Rebuilt without running initializers or drawing seeds: the file supplies both, and loading must not move the
  // global random stream.
  const guard = weightCheck(checked, file);
  let model: Model;
  try {
    model = withoutRandomInit(() => withWeightCheck(guard.check, () => modelFromTopology(artifacts.modelTopology, file))) as Model;
  } catch (e) {
    // A weight refused by the check is reported as itself, not wrapped in the layer call that created it.
    if (guard.failure) throw new ModelFormatError(file, guard.failure.message);
    throw e;
  }
  const optimizerEntries: { name: string; value: Tensor }[] = [];
  if (checked !== null) {
    const decoded = decodeWeights(checked, artifacts.weightData, source);
    const modelValues = new Map<string, { spec: WeightSpec; value: Tensor; from: string }>();
    decoded.forEach((d) => {
      if (d.spec.group === 'optimizer') optimizerEntries.push({ name: d.spec.name, value: d.value });
      else modelValues.set(d.spec.name, d);
    });
    assignModelWeights(model, modelValues, file);
  }
  restoreSeedGenerators(model, artifacts.userDefinedMetadata, file);
  if (artifacts.trainingConfig != null && options.compile !== false) {
    compileFromTrainingConfig(model, artifacts.trainingConfig, optimizerEntries, artifacts.generatedBy, file);
  }
  return model;
}

/**
 * Restores an existing model's state from artifacts saved from it (BackupAndRestore): weights, seed
 * generators, and the optimizer state when the model is compiled. Everything is checked before anything is
 * assigned; the topology in the artifacts is not rebuilt.
 */
export function restoreTrainingState(model: Model, artifacts: ModelArtifacts, file: string): void {
  if (!Array.isArray(artifacts.weightSpecs)) throw new ModelFormatError(file, 'has no weightSpecs');
  const { weights, end } = checkWeightSpecs(artifacts.weightSpecs, file);
  const problem = byteCountProblem(weights, end, weightDataLength(artifacts.weightData, file));
  if (problem) throw new ModelFormatError(file, problem.message);
  const decoded = decodeWeights(weights, artifacts.weightData, { file });
  const modelValues = new Map<string, { spec: WeightSpec; value: Tensor; from: string }>();
  const optimizerEntries: { name: string; value: Tensor }[] = [];
  for (const d of decoded) {
    if (d.spec.group === 'optimizer') optimizerEntries.push({ name: d.spec.name, value: d.value });
    else modelValues.set(d.spec.name, d);
  }
  assignModelWeights(model, modelValues, file);
  restoreSeedGenerators(model, artifacts.userDefinedMetadata, file);
  if (model.isCompiled && optimizerEntries.length > 0) restoreOptimizerState(model, model.optimizer, optimizerEntries, false, file);
}

/** Puts back the saved seed generator states, matched by name; a file without them (tfjs) keeps the placeholders. */
function restoreSeedGenerators(model: Model, metadata: Record<string, unknown> | undefined, file: string): void {
  const saved = (metadata?.minikeras as { seedGenerators?: unknown } | undefined)?.seedGenerators;
  if (saved === undefined) return;
  if (!Array.isArray(saved)) throw new ModelFormatError(file, 'userDefinedMetadata.minikeras.seedGenerators must be a list');
  const byName = new Map(model.seedGenerators.map((g) => [g.state.name, g]));
  for (const entry of saved) {
    const { name, state } = (entry ?? {}) as { name?: unknown; state?: unknown };
    const generator = typeof name === 'string' ? byName.get(name) : undefined;
    if (!generator) throw new ModelFormatError(file, `a saved seed generator state '${String(name)}' belongs to no layer of the model`);
    if (!Array.isArray(state) || state.length !== 2 || !state.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 31)) {
      throw new ModelFormatError(file, `seed generator state '${name}' must be two integers [seed, counter] in [0, 2^31), got ${JSON.stringify(state)}`);
    }
    generator.state.values.set(state as number[]);
  }
}

const isArrayBuffer = (b: unknown): b is ArrayBuffer => b instanceof ArrayBuffer || Object.prototype.toString.call(b) === '[object ArrayBuffer]';

/** The byte length of `weightData` (one ArrayBuffer or a list read as one), checked without copying anything. */
function weightDataLength(data: unknown, file: string): number {
  if (data === undefined) return 0;
  if (isArrayBuffer(data)) return data.byteLength;
  if (!Array.isArray(data) || !data.every(isArrayBuffer)) {
    throw new ModelFormatError(file, `weightData must be an ArrayBuffer or a list of them, got ${Object.prototype.toString.call(data)}`);
  }
  return data.reduce((p, b) => p + b.byteLength, 0);
}

function joinBuffers(data: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  if (isArrayBuffer(data)) return new Uint8Array(data);
  if (data.length === 1) return new Uint8Array(data[0]!);
  const total = data.reduce((p, b) => p + b.byteLength, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), o);
    o += b.byteLength;
  }
  return out;
}

/**
 * What the model being rebuilt may create, from the checked manifest: a weight the manifest names must have its
 * shape, and all weights together no more values than the manifest's model weights, so a config declaring a
 * 5000 x 5000 Dense beside a manifest (and bytes) for a small one fails before the kernel is allocated. Without
 * a manifest (a topology alone) only the size limits hold.
 */
function weightCheck(checked: readonly CheckedWeight[] | null, file: string): { check: LoadingWeightCheck; failure: Error | null } {
  const byName = new Map<string, CheckedWeight>();
  let budget = checked === null ? MAX_MODEL_BYTES / 4 : 0;
  for (const w of checked ?? []) {
    if (w.spec.group === 'optimizer') continue;
    if (byName.has(w.spec.name)) throw new ModelFormatError(file, `the weights manifest lists '${w.spec.name}' twice`);
    byName.set(w.spec.name, w);
    budget += w.size;
  }
  let used = 0;
  const guard: { check: LoadingWeightCheck; failure: Error | null } = { check: () => undefined, failure: null };
  const fail = (message: string): never => {
    guard.failure = new Error(message);
    throw guard.failure;
  };
  guard.check = (name, shape, owner) => {
    const size = shapeSize(shape);
    if (typeof size === 'string') fail(`${owner}: the model config gives it a weight '${name}' that ${size}`);
    const entry = byName.get(name);
    if (entry && (entry.spec.shape.length !== shape.length || entry.spec.shape.some((d, i) => d !== shape[i]))) {
      fail(`weight '${name}' has shape [${entry.spec.shape.join(', ')}] in the weights manifest, but the model config gives the layer a weight of shape [${shape.join(', ')}]`);
    }
    used += size as number;
    if (used > budget) {
      fail(checked === null
        ? `${owner}: weight '${name}' (shape [${shape.join(', ')}]) brings the model's weights to ${used} values; a model may have at most ${budget} (${MAX_MODEL_BYTES} bytes)`
        : `${owner}: the model config gives it a weight '${name}' of shape [${shape.join(', ')}] (${size} values), bringing the model's weights to ${used} values, but the weights manifest describes ${budget}${entry ? '' : ` and lists no weight '${name}'`}; the config and the weights do not belong together`);
    }
  };
  return guard;
}

/** The weights' values, from data already checked against `weights` (so every byte range is in bounds). */
function decodeWeights(weights: readonly CheckedWeight[], data: ArrayBuffer | ArrayBuffer[] | undefined, source: ArtifactSource): { spec: WeightSpec; value: Tensor; from: string }[] {
  const bytes = joinBuffers(data);
  return weights.map(({ spec, size, offset, bytes: n }, i) => {
    const from = source.weightFiles?.[i] ?? source.file;
    const values = spec.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
    const quantization = spec.quantization == null ? null : quantizationOf(spec, source.file);
    if (quantization) {
      // tfjs' dequantization: value = q * scale + min (rounded for int32 weights).
      const view = new DataView(bytes.buffer, bytes.byteOffset + offset, n);
      const { scale, min } = quantization;
      for (let j = 0; j < size; j++) {
        const q = quantization.bytes === 1 ? view.getUint8(j) : view.getUint16(j * 2, true);
        values[j] = spec.dtype === 'int32' ? Math.round(q * scale + min) : q * scale + min;
      }
    } else if (LITTLE_ENDIAN) {
      new Uint8Array(values.buffer).set(bytes.subarray(offset, offset + n));
    } else {
      const view = new DataView(bytes.buffer, bytes.byteOffset + offset, n);
      for (let j = 0; j < size; j++) values[j] = spec.dtype === 'int32' ? view.getInt32(j * 4, true) : view.getFloat32(j * 4, true);
    }
    if (values instanceof Float32Array) {
      let nans = 0;
      for (let j = 0; j < values.length; j++) if (values[j] !== values[j]) nans++;
      if (nans > 0) console.warn(`${from}: weight '${spec.name}' holds ${nans} NaN value${nans === 1 ? '' : 's'} of ${size}`);
    }
    return { spec, value: new Tensor(values, spec.shape, spec.dtype as WeightDtype), from };
  });
}

function assignModelWeights(model: Model, values: Map<string, { spec: WeightSpec; value: Tensor; from: string }>, file: string): void {
  const vars = model.weights;
  if (vars.length > 0 && !model.built) {
    throw new ModelFormatError(file, 'the model config declares no input shape, so its weights cannot be placed');
  }
  const plan: [Variable, Tensor][] = [];
  for (const v of vars) {
    const entry = values.get(v.name);
    if (!entry) {
      throw new ModelFormatError(file, `weight '${v.name}' of the model is missing from the weights manifest (it lists ${[...values.keys()].map((k) => `'${k}'`).join(', ') || 'no weights'})`);
    }
    const { spec, value } = entry;
    if (spec.dtype !== 'float32') throw new ModelFormatError(file, `weight '${v.name}' has dtype '${spec.dtype}', expected float32`);
    if (spec.shape.length !== v.shape.length || spec.shape.some((d, i) => d !== v.shape[i])) {
      throw new ModelFormatError(file, `weight '${v.name}' has shape [${spec.shape.join(', ')}] in the weights manifest, but the model config gives the layer a weight of shape [${v.shape.join(', ')}]`);
    }
    plan.push([v, value]);
    values.delete(v.name);
  }
  if (values.size > 0) {
    throw new ModelFormatError(file, `the weights manifest has weights no layer of the model owns: ${[...values.keys()].map((k) => `'${k}'`).join(', ')}`);
  }
  for (const [v, value] of plan) v.assign(value);
}

/** tfjs' camelCase optimizer configs and class names -> Keras' (tfjs writes `getConfig()` output as is). */
function kerasOptimizerJson(json: unknown, file: string): SerializedOptimizer {
  if (typeof json !== 'object' || json === null || typeof (json as { class_name?: unknown }).class_name !== 'string') {
    throw new ModelFormatError(file, `trainingConfig.optimizer_config must be { class_name, config }, got ${JSON.stringify(json)?.slice(0, 200)}`);
  }
  const { class_name: tfjsName, config = {} } = json as SerializedOptimizer;
  // Keras 2.11+ writes its (then new) optimizers as 'Custom>Adam'.
  const baseName = tfjsName.startsWith('Custom>') ? tfjsName.slice('Custom>'.length) : tfjsName;
  const className = baseName === 'Momentum' ? 'SGD' : baseName;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config ?? {})) {
    if (isObjectKey(k)) throw new ModelFormatError(file, `trainingConfig.optimizer_config: '${k}' is not a config key (it names a property of every JavaScript object)`);
    if (tfjsName === 'RMSProp' && k === 'decay') { out.rho = v; continue; }
    if (k === 'useNesterov') { out.nesterov = v; continue; }
    // tfjs' Adamax 'decay' is a learning-rate decay Keras 3 dropped; 0 means none.
    if (tfjsName === 'Adamax' && k === 'decay') {
      if (v !== 0 && v != null) throw new ModelFormatError(file, `the optimizer's learning-rate decay (${v}) is not supported by Keras 3 optimizers`);
      continue;
    }
    // Keras 2 before 2.3 called the learning rate 'lr'.
    if (k === 'lr') { out.learning_rate = v; continue; }
    const snake = k.replace(/([a-z])([A-Z0-9])/g, '$1_$2').toLowerCase();
    if (v === null && snake === 'epsilon') continue;
    out[snake] = v;
  }
  return { class_name: className, config: out };
}

export function compileFromTrainingConfig(model: Model, tc: TrainingConfig, optimizerEntries: { name: string; value: Tensor }[], generatedBy: string | undefined, file: string): void {
  if (typeof tc !== 'object' || tc === null) throw new ModelFormatError(file, 'trainingConfig must be an object');
  for (const key of ['weighted_metrics', 'sample_weight_mode'] as const) {
    if (tc[key] != null && !(Array.isArray(tc[key]) && (tc[key] as unknown[]).length === 0)) {
      console.warn(`${file}: trainingConfig.${key} is not supported by minikeras and is ignored`);
    }
  }
  let optimizer: Optimizer;
  let loss: Loss | LossName | (Loss | LossName | null)[] | Record<string, Loss | LossName | null>;
  let metricList: Metric[] | Metric[][] | Record<string, Metric[]>;
  let lossWeights: number[] | Record<string, number> | undefined;
  try {
    optimizer = deserializeOptimizer(kerasOptimizerJson(tc.optimizer_config, file));
    // A name stays a name (checked here), so the model is compiled as the file says and saved the same way.
    const readLoss = (v: unknown): Loss | LossName | null => {
      if (v === null) return null;
      if (typeof v === 'string') { getLoss(v as LossName); return v as LossName; }
      if (typeof v === 'object' && typeof (v as LossJson).class_name === 'string') return deserializeLoss(v as LossJson);
      throw new Error(`trainingConfig.loss must be a loss name or Keras loss JSON (or a list or record of them by output), got ${JSON.stringify(v)?.slice(0, 200)}`);
    };
    const isLossLeaf = (v: unknown) => typeof v === 'string' || (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as LossJson).class_name === 'string');
    loss = isLossLeaf(tc.loss) ? readLoss(tc.loss)! : Array.isArray(tc.loss) ? tc.loss.map(readLoss)
      : typeof tc.loss === 'object' && tc.loss !== null ? Object.fromEntries(Object.entries(tc.loss).map(([k, v]) => [k, readLoss(v)])) : readLoss(tc.loss)!;
    const ids = tc.metrics == null ? [] : tc.metrics;
    const readMetrics = (list: unknown): Metric[] => {
      if (!Array.isArray(list)) throw new Error(`trainingConfig.metrics must be a list (or lists by output), got ${JSON.stringify(list)?.slice(0, 200)}`);
      return list.map((m) => getMetric(m as MetricName));
    };
    metricList = Array.isArray(ids) ? (ids.every(Array.isArray) && ids.length > 0 ? ids.map(readMetrics) : readMetrics(ids))
      : typeof ids === 'object' && ids !== null ? Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, readMetrics(v)])) : readMetrics(ids);
    const lw = tc.loss_weights;
    if (lw != null && !(Array.isArray(lw) && lw.length === 0)) lossWeights = lw as number[] | Record<string, number>;
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(file, `trainingConfig: ${(e as Error).message}`);
  }
  try {
    model.compile({ optimizer, loss: loss as never, metrics: metricList as never, ...(lossWeights ? { lossWeights: lossWeights as never } : {}) });
  } catch (e) {
    throw new ModelFormatError(file, `trainingConfig: ${(e as Error).message}`);
  }
  restoreOptimizerState(model, optimizer, optimizerEntries, !(generatedBy ?? '').startsWith('minikeras'), file);
}

/**
 * Restores what `toArtifacts` saved: `iteration` then the slots in Keras' order (the learning rate comes from
 * the config). Our own files must match exactly; another library's optimizer state (tfjs) is restored when its
 * layout matches ours and otherwise dropped with a warning, keeping only its iteration count.
 */
function restoreOptimizerState(model: Model, optimizer: Optimizer, entries: { name: string; value: Tensor }[], foreign: boolean, file: string): void {
  if (entries.length === 0) return;
  const iteration = entries[0]!;
  if (iteration.value.size !== 1) throw new ModelFormatError(file, `optimizer weight '${iteration.name}' should be the iteration count (a scalar), got shape [${iteration.value.shape.join(', ')}]`);
  const iterations = iteration.value.values[0]!;
  if (!Number.isInteger(iterations) || iterations < 0) throw new ModelFormatError(file, `optimizer iteration count '${iteration.name}' is ${iterations}, expected an integer >= 0`);
  if (entries.length === 1) {
    optimizer.iterations = iterations;
    return;
  }
  optimizer.build(model.trainableWeights);
  const fresh = optimizer.getState();
  const lrIndex = fresh.findIndex((e) => e.name === 'learning_rate');
  // Another library lists its slots in its own variable order, which for a graph model need not be ours; tfjs
  // names each '<variable>/<slot>' ('dense/kernel/m'), so they are put in this model's order by name.
  if (foreign) entries = [iteration, ...alignSlotsByVariable(entries.slice(1), model.trainableWeights.map((w) => w.name))];
  const full = lrIndex >= 0 && entries.length === fresh.length - 1 ? [...entries.slice(0, lrIndex), fresh[lrIndex]!, ...entries.slice(lrIndex)] : entries;
  const mismatch = full.length !== fresh.length ? `${entries.length} optimizer weights were saved, ${optimizer.className} on this model has ${fresh.length - (lrIndex >= 0 ? 1 : 0)}`
    : foreign ? null : full.map((e, i) => (e.name === fresh[i]!.name ? null : `optimizer weight ${i} is '${e.name}', expected '${fresh[i]!.name}'`)).find((m) => m !== null) ?? null;
  try {
    if (mismatch) throw new Error(mismatch);
    optimizer.setState(full);
  } catch (e) {
    if (!foreign) throw new ModelFormatError(file, `the saved optimizer state does not fit the model: ${(e as Error).message}`);
    console.warn(`${file}: the optimizer state was written by another library in a layout minikeras' ${optimizer.className} does not share (${(e as Error).message}); training continues from iteration ${iterations} with fresh optimizer slots`);
    optimizer.iterations = iterations;
  }
}

/**
 * Slots named '<variable>/<slot>', in runs of one slot kind (all 'm', then all 'v'), reordered within each run
 * to follow `variables`. A variable name tfjs made unique with a '_<n>' suffix matches without it. Anything
 * that does not parse or match (other naming, a variable twice) is returned as it came.
 */
function alignSlotsByVariable<E extends { name: string }>(slots: E[], variables: readonly string[]): E[] {
  const index = new Map(variables.map((n, i) => [n, i]));
  const position = (variable: string): number | undefined => index.get(variable) ?? index.get(variable.replace(/_\d+$/, ''));
  const parsed: { entry: E; slot: string; at: number }[] = [];
  for (const entry of slots) {
    const cut = entry.name.lastIndexOf('/');
    const at = cut > 0 ? position(entry.name.slice(0, cut)) : undefined;
    if (at === undefined) return slots;
    parsed.push({ entry, slot: entry.name.slice(cut + 1), at });
  }
  const out: E[] = [];
  for (let start = 0; start < parsed.length;) {
    let end = start;
    while (end < parsed.length && parsed[end]!.slot === parsed[start]!.slot) end++;
    const run = parsed.slice(start, end);
    if (new Set(run.map((p) => p.at)).size !== run.length) return slots;
    out.push(...run.sort((p, q) => p.at - q.at).map((p) => p.entry));
    start = end;
  }
  return out;
}

/** Keras' `model.to_json()` analogue: the config as an object (`JSON.stringify` it for the string form). */
export function modelToJSON(model: Model): KerasModelJson {
  return modelToTopology(model);
}

/** Rebuilds an untrained model from `modelToJSON` output, a tfjs model topology or Keras 3 `to_json()` text. */
export function modelFromJSON(json: string | object): Model {
  // Without weights, only the size limits hold (a 2^32-value kernel is an error, not a failed allocation).
  const guard = weightCheck(null, 'model JSON');
  try {
    return withWeightCheck(guard.check, () => modelFromTopology(json, 'model JSON')) as Model;
  } catch (e) {
    if (guard.failure) throw new ModelFormatError('model JSON', guard.failure.message);
    throw e;
  }
}

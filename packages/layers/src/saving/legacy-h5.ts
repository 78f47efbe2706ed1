/**
 * Keras' legacy whole-model `.h5` (keras/src/legacy/saving/legacy_h5_format.py), read and written:
 * - root attributes `model_config` and `training_config` (JSON), `keras_version`, `backend`;
 * - `model_weights/<layer name>/` with a `weight_names` attribute listing the layer's weights (trainable then
 *   non-trainable, nested layers' included) as paths of datasets inside the group (`dense_a/kernel`,
 *   `cnn_sequential/conv_a/kernel`, `lstm/lstm_cell/kernel`); `model_weights` lists `layer_names`;
 * - `optimizer_weights/` with `weight_names` in Keras' `optimizer.variables` order.
 * Keras matches layers that have weights by position, and so do we.
 */
import { Tensor } from '@minikeras/tensor';
import type { Variable } from '@minikeras/tensor';
import type { Layer } from '../engine/layer';
import type { Model } from '../models/model';
import { ModelFormatError } from './errors';
import { entryAt, group, groupAt, readH5, writeH5 } from './h5';
import type { H5Attr, H5Dataset, H5Group } from './h5';
import { KERAS_FORMAT_VERSION, SEED_GENERATORS_ATTR, compileFromKerasConfig, kerasConfigJson, modelFromKerasConfig, seedGeneratorsJson, seedGeneratorsPlan } from './keras-format';
import { kerasOptimizerOrder } from './keras-tree';
import type { LoadOptions, SaveOptions } from './artifacts';

const strings = (v: H5Attr | undefined): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

function parseAttr(tree: H5Group, key: string, file: string): unknown {
  const raw = tree.attrs[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(String(raw));
  } catch (e) {
    throw new ModelFormatError(file, `the '${key}' attribute is not valid JSON (${(e as Error).message})`);
  }
}

/** A layer's weights as Keras' legacy format orders them: trainable, then non-trainable. */
function legacyWeights(layer: Layer): Variable[] {
  return [...layer.trainableWeights, ...layer.nonTrainableWeights];
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Checks and assigns `model_weights` (and, when compiled, `optimizer_weights`) to a model. */
function applyLegacyWeights(model: Model, tree: H5Group, file: string, restoreOptimizer: boolean): void {
  const weightsGroup = groupAt(tree, 'model_weights') ?? (tree.attrs.layer_names !== undefined ? tree : null);
  if (!weightsGroup) throw new ModelFormatError(file, `is an HDF5 file but not a Keras .h5 model: it has no 'model_weights' group (top-level entries: ${[...tree.children.keys()].join(', ') || 'none'})`);
  const names = strings(weightsGroup.attrs.layer_names);
  const stored: { name: string; weightNames: string[]; g: H5Group }[] = [];
  for (const name of names) {
    const g = groupAt(weightsGroup, name);
    if (!g) throw new ModelFormatError(file, `model_weights lists layer '${name}' but has no group for it`);
    const weightNames = strings(g.attrs.weight_names);
    if (weightNames.length > 0) stored.push({ name, weightNames, g });
  }
  const layers = model.layers.filter((l) => l.weights.length > 0);
  if (layers.length !== stored.length) {
    throw new ModelFormatError(file, `holds weights for ${stored.length} layers (${stored.map((s) => s.name).join(', ')}), but the model has ${layers.length} layers with weights (${layers.map((l) => l.name).join(', ')})`);
  }
  const plan: [Variable, H5Dataset][] = [];
  layers.forEach((layer, i) => {
    const s = stored[i]!;
    const vars = legacyWeights(layer);
    if (vars.length !== s.weightNames.length) {
      throw new ModelFormatError(file, `${layer.label} has ${vars.length} weights, but model_weights/${s.name} lists ${s.weightNames.length} (${s.weightNames.join(', ')})`);
    }
    vars.forEach((v, j) => {
      const path = s.weightNames[j]!;
      const ds = entryAt(s.g, path);
      if (!ds || ds.kind !== 'dataset') throw new ModelFormatError(file, `model_weights/${s.name} lists weight '${path}' but has no such dataset`);
      if (!sameShape(ds.shape, v.shape)) throw new ModelFormatError(file, `variable '${v.name}' of ${layer.label} has shape ${fmt(v.shape)} in the model, but model_weights/${s.name}/${path} has shape ${fmt(ds.shape)}`);
      plan.push([v, ds]);
    });
  });
  const restore = restoreOptimizer && model.isCompiled ? legacyOptimizerPlan(model, tree, file) : null;
  const restoreGenerators = seedGeneratorsPlan(model, tree.attrs[SEED_GENERATORS_ATTR], file);
  for (const [v, ds] of plan) v.assign(new Tensor(Float32Array.from(ds.value), ds.shape));
  restoreGenerators();
  restore?.();
}

function legacyOptimizerPlan(model: Model, tree: H5Group, file: string): (() => void) | null {
  const g = groupAt(tree, 'optimizer_weights');
  if (!g) return null;
  const names = strings(g.attrs.weight_names);
  if (names.length === 0) return null;
  const optimizer = model.optimizer;
  const version = String(tree.attrs.keras_version ?? '');
  if (!version.startsWith('3.')) {
    // Keras 2 (tf.keras) optimizers keep other slots in another order ('Adam/iter:0', all m, then all v):
    // continue from its step count with fresh slots rather than guess.
    const iter = entryAt(g, names[0]!);
    return () => {
      optimizer.build(model.trainableWeights);
      if (iter?.kind === 'dataset' && iter.value.length === 1 && /iter/.test(names[0]!)) optimizer.iterations = Number(iter.value[0]);
      console.warn(`${file}: the optimizer state was written by Keras ${version || '2'}, whose slot layout minikeras does not read; training continues from iteration ${optimizer.iterations} with fresh optimizer slots`);
    };
  }
  const vars = model.trainableWeights;
  optimizer.build(vars);
  const state = optimizer.getState();
  const order = kerasOptimizerOrder(optimizer, vars);
  if (names.length !== state.length) {
    throw new ModelFormatError(file, `optimizer_weights lists ${names.length} variables, but ${optimizer.className} on model '${model.name}' has ${state.length}`);
  }
  const entries = state.map((e) => ({ ...e }));
  order.forEach((j, k) => {
    const ds = entryAt(g, names[k]!);
    const want = state[j]!;
    if (!ds || ds.kind !== 'dataset') throw new ModelFormatError(file, `optimizer_weights lists '${names[k]}' but has no such dataset`);
    if (!sameShape(ds.shape, want.value.shape)) throw new ModelFormatError(file, `optimizer variable '${want.name}' has shape ${fmt(want.value.shape)}, but optimizer_weights/${names[k]} has shape ${fmt(ds.shape)}`);
    entries[j] = { name: want.name, value: want.value.dtype === 'int32' ? new Tensor(Int32Array.from(ds.value), ds.shape, 'int32') : new Tensor(Float32Array.from(ds.value), ds.shape) };
  });
  return () => optimizer.setState(entries);
}

/** Rebuilds a model from a legacy `.h5` file's bytes (config, weights, compile config and optimizer state). */
export async function modelFromLegacyH5(bytes: Uint8Array, file: string, options: LoadOptions = {}): Promise<Model> {
  const tree = await readH5(bytes, file);
  const config = parseAttr(tree, 'model_config', file);
  if (config === undefined) {
    if (groupAt(tree, 'layers') || groupAt(tree, 'vars')) throw new ModelFormatError(file, 'is a Keras 3 weights file (.weights.h5) with no model config; build the model and call model.loadWeights on it');
    throw new ModelFormatError(file, `is an HDF5 file but not a Keras model: it has no 'model_config' attribute (top-level entries: ${[...tree.children.keys()].join(', ') || 'none'})`);
  }
  const model = modelFromKerasConfig(config, file);
  const training = parseAttr(tree, 'training_config', file) as Record<string, unknown> | undefined;
  const compile = options.compile !== false && training != null;
  if (compile) compileFromKerasConfig(model, { ...training, optimizer: training.optimizer_config }, file);
  applyLegacyWeights(model, tree, file, compile);
  return model;
}

/** Loads legacy `.h5` weights (a whole-model .h5 or Keras 2's `save_weights('x.h5')`) into a built model. */
export async function legacyWeightsFromH5(model: Model, bytes: Uint8Array, file: string): Promise<void> {
  applyLegacyWeights(model, await readH5(bytes, file), file, true);
}

/** Keras' legacy model_config: the Keras 3 config without `module`/`registered_name`/`build_config` on layers. */
function legacyConfig(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(legacyConfig);
  if (typeof json !== 'object' || json === null) return json;
  const obj = json as Record<string, unknown>;
  const isLayer = 'inbound_nodes' in obj || (typeof obj.config === 'object' && obj.config !== null && Array.isArray((obj.config as { layers?: unknown }).layers));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (isLayer && (k === 'module' || k === 'registered_name' || k === 'build_config' || k === 'compile_config')) continue;
    out[k] = k === 'layers' || k === 'config' ? legacyConfig(v) : v;
  }
  return out;
}

/** A legacy `.h5` file of the model, as Keras' `model.save('x.h5')` writes it. */
export async function modelToLegacyH5(model: Model, options: SaveOptions = {}): Promise<Uint8Array> {
  const config = kerasConfigJson(model, options);
  const { compile_config: compileConfig, ...modelConfig } = config as { compile_config?: Record<string, unknown> };
  const root = group({ backend: 'minikeras', keras_version: KERAS_FORMAT_VERSION, model_config: JSON.stringify(legacyConfig(modelConfig)) });
  const generators = seedGeneratorsJson(model);
  if (generators) root.attrs[SEED_GENERATORS_ATTR] = generators;
  if (compileConfig) {
    const { optimizer, ...rest } = compileConfig;
    const o = optimizer as { class_name: string; config: unknown };
    root.attrs.training_config = JSON.stringify({ ...rest, optimizer_config: { class_name: o.class_name, config: o.config } });
  }
  const mw = group({ backend: 'minikeras', keras_version: KERAS_FORMAT_VERSION, layer_names: model.layers.map((l) => l.name) });
  root.children.set('model_weights', mw);
  const prefix = model.className === 'Sequential' ? `${model.name}/` : '';
  for (const layer of [...model.layers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const vars = legacyWeights(layer);
    const names = vars.map((v) => `${prefix}${v.name}`);
    const g = group({ weight_names: names });
    mw.children.set(layer.name, g);
    vars.forEach((v, i) => {
      const parts = names[i]!.split('/');
      const leaf = parts.pop()!;
      groupAt(g, parts.join('/'), true)!.children.set(leaf, { kind: 'dataset', shape: [...v.shape], dtype: 'float32', value: Float32Array.from(v.values), attrs: {} });
    });
  }
  mw.children.set('top_level_model_weights', group({ weight_names: [] }));
  if (compileConfig && model.isCompiled) {
    const optimizer = model.optimizer;
    const state = optimizer.getState();
    const order = kerasOptimizerOrder(optimizer, model.trainableWeights);
    const names = order.map((j) => `${optimizer.name}/${state[j]!.name}`);
    const og = group({ weight_names: names });
    root.children.set('optimizer_weights', og);
    order.forEach((j, k) => {
      const e = state[j]!;
      const parts = names[k]!.split('/');
      const leaf = parts.pop()!;
      const int = e.value.dtype === 'int32';
      groupAt(og, parts.join('/'), true)!.children.set(leaf, { kind: 'dataset', shape: [...e.value.shape], dtype: int ? 'int32' : 'float32', value: int ? Int32Array.from(e.value.values) : Float32Array.from(e.value.values), attrs: {} });
    });
  }
  return writeH5(root);
}

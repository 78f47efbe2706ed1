/**
 * Keras 3's native files (keras/src/saving/saving_lib.py):
 * - `.keras`: a zip of `metadata.json` ({ keras_version, date_saved }), `config.json` (the model in Keras 3
 *   serialization: `module`, `class_name`, `config`, `registered_name`, `build_config`, `compile_config`) and
 *   `model.weights.h5`;
 * - `.weights.h5`: that HDF5 part alone: every object's own variables under `<object path>/vars/<i>`,
 *   the optimizer's under `optimizer/vars/<i>` (see keras-tree.ts for the paths).
 * Everything here works on bytes; keras-io.ts reads and writes them as files, Blobs or downloads.
 */
import { Tensor } from '@minikeras/tensor';
import type { Variable } from '@minikeras/tensor';
import { serialize as serializeOptimizer } from '@minikeras/optimizers';
import type { Optimizer } from '@minikeras/optimizers';
import { Layer } from '../engine/layer';
import type { SymbolicShape } from '../engine/layer';
import { SymbolicTensor } from '../engine/symbolic-tensor';
import type { Node } from '../engine/symbolic-tensor';
import { mapStructure } from '../engine/structure';
import type { Nested } from '../engine/structure';
import { getRegisteredClass, registeredClassNames } from '../engine/registry';
import { withoutRandomInit } from '../engine/seed-generator';
import type { FunctionalGraph } from '../models/functional-graph';
import type { Model } from '../models/model';
import { ModelFormatError } from './errors';
import { LAYER_CLASSES, MINIKERAS_VERSION, isModel, modelFromTopology, serializeLayer } from './keras-config';
import type { KerasObjectJson } from './keras-config';
import { compileFromTrainingConfig, trainingConfigOf } from './artifacts';
import type { LoadOptions, SaveOptions, TrainingConfig } from './artifacts';
import { datasetPaths, entryAt, group, groupAt, readH5, writeH5 } from './h5';
import type { H5Dataset, H5Group } from './h5';
import { kerasOptimizerOrder, saveableTree } from './keras-tree';
import { unzip, zip } from './zip';

/** The Keras version we write into metadata.json: the Keras 3 format version our files follow. */
export const KERAS_FORMAT_VERSION = '3.16.0';

const POLICY = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };

/** Keras' built-in layer classes (keras.layers), which Keras finds by `module: 'keras.layers'`. */
const KERAS_LAYER_NAMES = new Set([
  ...Object.keys(LAYER_CLASSES),
  'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot',
  'Conv1D', 'Conv3D', 'Conv1DTranspose', 'Conv2DTranspose', 'Conv3DTranspose', 'DepthwiseConv1D', 'DepthwiseConv2D',
  'SeparableConv1D', 'SeparableConv2D', 'UpSampling1D', 'UpSampling2D', 'UpSampling3D', 'ZeroPadding1D', 'ZeroPadding2D',
  'ZeroPadding3D', 'Cropping1D', 'Cropping2D', 'Cropping3D', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'Softmax',
  'MaxPooling1D', 'MaxPooling3D', 'AveragePooling1D', 'AveragePooling3D', 'GlobalAveragePooling1D', 'GlobalMaxPooling1D',
  'GlobalAveragePooling3D', 'GlobalMaxPooling3D', 'SimpleRNN', 'LSTM', 'GRU', 'SimpleRNNCell', 'LSTMCell', 'GRUCell',
  'RNN', 'StackedRNNCells', 'Bidirectional', 'TimeDistributed', 'Masking', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise',
  'GaussianDropout', 'AlphaDropout', 'RepeatVector', 'Permute', 'Identity', 'Rescaling', 'Normalization',
  'GroupNormalization', 'UnitNormalization', 'MultiHeadAttention', 'Attention', 'AdditiveAttention', 'Lambda',
]);

// ---- config.json --------------------------------------------------------------------------------------

const isKerasObject = (v: unknown): v is KerasObjectJson => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as KerasObjectJson).class_name === 'string';

/** Adds Keras 3's `module` / `registered_name` to nested initializer and regularizer objects. */
function withModules(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    const module = k.endsWith('_initializer') ? 'keras.initializers' : k.endsWith('_regularizer') ? 'keras.regularizers' : null;
    out[k] = module && isKerasObject(v) && v.module === undefined ? { module, class_name: v.class_name, config: v.config, registered_name: null } : v;
  }
  return out;
}

const graphOf = (model: Layer): FunctionalGraph | null => (model as unknown as { graph?: FunctionalGraph | null }).graph ?? null;

/** The input shape(s) a layer was first called with inside a model: Keras' `build_config.input_shape`. */
function buildShape(layer: Layer, nodes: readonly Node[] | null): unknown {
  const node = layer.inboundNodes.find((n) => !n.isInput && (nodes === null || nodes.includes(n)));
  if (!node) return null;
  return node.inputs instanceof SymbolicTensor ? [...node.inputs.shape] : mapStructure(node.inputs, (v): v is SymbolicTensor => v instanceof SymbolicTensor, (t) => [...t.shape] as never);
}

/** True for a layer nested in another layer's config (a wrapper's `layer`, an RNN's `cell`). */
function isNestedLayer(v: unknown): v is KerasObjectJson {
  if (!isKerasObject(v)) return false;
  const cls = getRegisteredClass(v.class_name) as unknown as { prototype?: unknown } | undefined;
  return cls?.prototype instanceof Layer;
}

/** A layer's config in Keras 3's form: initializers with modules, a DTypePolicy, nested layers likewise. */
function keras3Config(json: KerasObjectJson): Record<string, unknown> {
  const config = withModules(json.config);
  // The input shape lives on the InputLayer in Keras 3 (`input_dim` is not dropped: it is Embedding's vocabulary size).
  for (const k of ['batch_input_shape', 'input_shape', 'batch_size']) delete config[k];
  if (config.dtype === 'float32' || config.dtype === undefined) config.dtype = POLICY;
  for (const [k, v] of Object.entries(config)) {
    if (isNestedLayer(v)) config[k] = keras3Object(v);
    else if (Array.isArray(v) && v.length > 0 && v.every(isNestedLayer)) config[k] = v.map(keras3Object);
  }
  return config;
}

function keras3Object(json: KerasObjectJson): Record<string, unknown> {
  const config = keras3Config(json);
  return KERAS_LAYER_NAMES.has(json.class_name)
    ? { module: 'keras.layers', class_name: json.class_name, config, registered_name: null }
    : { module: null, class_name: json.class_name, config, registered_name: json.class_name };
}

function keras3Layer(layer: Layer, nodes: readonly Node[] | null): Record<string, unknown> {
  if (isModel(layer) && (layer.className === 'Sequential' || graphOf(layer))) return keras3Model(layer);
  const json = serializeLayer(layer);
  if (layer.className === 'InputLayer') {
    const config = json.config;
    const out: Record<string, unknown> = { batch_shape: config.batch_input_shape, dtype: config.dtype ?? 'float32', sparse: false, ragged: false, name: layer.name, optional: false };
    return { module: 'keras.layers', class_name: 'InputLayer', config: out, registered_name: null };
  }
  const out = keras3Object(json);
  if (layer.weights.length > 0) out.build_config = { input_shape: buildShape(layer, nodes) };
  return out;
}

/** A Sequential or functional model in Keras 3's serialization, nested models included. */
function keras3Model(model: Layer): Record<string, unknown> {
  const m = model as Model;
  const graph = graphOf(model);
  if (model.className === 'Sequential') {
    const layers = m.layers.map((l) => keras3Layer(l, null));
    const config: Record<string, unknown> = { name: model.name, trainable: model.trainable, dtype: POLICY, layers };
    const out: Record<string, unknown> = { module: 'keras', class_name: 'Sequential', config, registered_name: null };
    if (graph) {
      const input = graph.flatInputs[0]!;
      layers.unshift(keras3Layer(input.node.layer as Layer, null));
      config.build_input_shape = [...input.shape];
      out.build_config = { input_shape: [...input.shape] };
    }
    return out;
  }
  if (!graph) throw new Error(`${model.label}: only Sequential and functional models can be saved as .keras (a subclassed model has no config Keras can rebuild); save its weights with saveWeights('x.weights.h5')`);
  const nodeIndex = new Map<Node, number>();
  for (const layer of graph.layers) {
    // Keras 3 numbers a nested Functional's calls from 1 (its node 0 links its own inputs to its outputs); a
    // nested Sequential's from 0.
    const first = isModel(layer) && graphOf(layer) !== null && layer.className !== 'Sequential' ? 1 : 0;
    layer.inboundNodes.filter((n) => n.isInput || graph.nodes.includes(n)).forEach((n, i) => nodeIndex.set(n, i + first));
  }
  const ref = (t: SymbolicTensor): [string, number, number] => [t.node.layer.name, nodeIndex.get(t.node)!, t.tensorIndex];
  const kerasTensor = (t: SymbolicTensor) => ({ class_name: '__keras_tensor__', config: { shape: [...t.shape], dtype: t.dtype, keras_history: ref(t) } });
  const layers = graph.layers.map((layer) => {
    const nodes = layer.inboundNodes.filter((n) => !n.isInput && graph.nodes.includes(n));
    return {
      ...keras3Layer(layer, graph.nodes),
      name: layer.name,
      inbound_nodes: nodes.map((n) => ({
        args: [n.inputs instanceof SymbolicTensor ? kerasTensor(n.inputs) : mapStructure(n.inputs as Nested<SymbolicTensor>, (v): v is SymbolicTensor => v instanceof SymbolicTensor, kerasTensor as never)],
        kwargs: { ...n.kwargs },
      })),
    };
  });
  const refs = (ts: readonly SymbolicTensor[]) => (ts.length === 1 ? ref(ts[0]!) : ts.map(ref));
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: { name: model.name, trainable: model.trainable, layers, input_layers: refs(graph.flatInputs), output_layers: refs(graph.flatOutputs) },
    registered_name: 'Functional',
    build_config: { input_shape: null },
  };
}

/** Keras' `model.get_compile_config()` from how the model was compiled, or null (not compiled / not saveable). */
function compileConfigOf(model: Model): Record<string, unknown> | null {
  if (!model.isCompiled) return null;
  const compiled = model.requireCompiled('save');
  const tc = trainingConfigOf(model.label, compiled.optimizer, compiled.outputs);
  if (!tc) return null;
  const metrics = tc.metrics;
  const noMetrics = metrics == null || (Array.isArray(metrics) && metrics.length === 0)
    || (typeof metrics === 'object' && !Array.isArray(metrics) && Object.values(metrics as object).every((m) => Array.isArray(m) && m.length === 0));
  // Keras writes a loss as it was given, a name or an object (MeanSquaredError()): a loss a Keras file gave as
  // an object is written back as that object.
  const asGiven = (o: (typeof compiled.outputs)[number], id: unknown) => (o.loss && lossesGivenAsObjects.get(o.loss)) ?? id;
  const loss = compiled.outputs.length === 1 ? asGiven(compiled.outputs[0]!, tc.loss)
    : Object.fromEntries(Object.entries(tc.loss as Record<string, unknown>).map(([k, id]) => [k, asGiven(compiled.outputs.find((o) => o.name === k)!, id)]));
  return {
    optimizer: serializeOptimizer(compiled.optimizer),
    loss,
    loss_weights: tc.loss_weights ?? null,
    metrics: noMetrics ? null : metrics,
    weighted_metrics: null,
    run_eagerly: false,
    steps_per_execution: 1,
    jit_compile: 'auto',
  };
}

/** The config.json object of a `.keras` file. */
export function kerasConfigJson(model: Model, options: SaveOptions = {}): Record<string, unknown> {
  const json = keras3Model(model);
  if (options.includeOptimizer ?? true) {
    const compileConfig = compileConfigOf(model);
    if (compileConfig) json.compile_config = compileConfig;
  }
  return json;
}

/** The class names of every layer a Keras config mentions (nested models, wrapped layers included). */
function layerClassNames(json: unknown, out: Set<string>): void {
  if (Array.isArray(json)) { for (const v of json) layerClassNames(v, out); return; }
  if (typeof json !== 'object' || json === null) return;
  const obj = json as Record<string, unknown>;
  const module = typeof obj.module === 'string' ? obj.module : '';
  if (typeof obj.class_name === 'string' && typeof obj.config === 'object' && obj.config !== null
    && !module.startsWith('keras.src.ops') && !/initializers|regularizers|constraints|optimizers|losses|metrics|dtype/.test(module)
    && obj.class_name !== 'DTypePolicy' && obj.class_name !== '__keras_tensor__'
    // An operation node of a functional graph (legacy configs drop its module): functional-config.ts decides.
    && !(obj.class_name === 'NotEqual' && Array.isArray(obj.inbound_nodes))) {
    out.add(obj.class_name);
  }
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'inbound_nodes' || k.endsWith('_initializer') || k.endsWith('_regularizer') || k.endsWith('_constraint') || k === 'dtype') continue;
    layerClassNames(v, out);
  }
}

/** Rebuilds the (untrained) model of a config.json, with an error naming the file for a layer minikeras lacks. */
export function modelFromKerasConfig(json: unknown, file: string): Model {
  const names = new Set<string>();
  layerClassNames((json as { config?: unknown })?.config, names);
  // Keras' own layer classes first: a legacy config does not mark operation nodes (NotEqual) as such.
  const missing = [...names].filter((n) => !Object.hasOwn(LAYER_CLASSES, n) && !getRegisteredClass(n)).sort((a, b) => Number(KERAS_LAYER_NAMES.has(b)) - Number(KERAS_LAYER_NAMES.has(a)));
  if (missing.length > 0) {
    const name = missing[0]!;
    const others = missing.length > 1 ? ` (nor are ${missing.slice(1).map((n) => `'${n}'`).join(', ')})` : '';
    const known = [...new Set([...registeredClassNames(), ...Object.keys(LAYER_CLASSES)])].sort();
    throw new ModelFormatError(file, `layer class '${name}' in ${file.split(/[\\/]/).pop()} is not available in minikeras${others}; the layer classes it can load are ${known.join(', ')} (a custom class must be registered with registerClass before loading)`);
  }
  // Rebuilt without running initializers or drawing seeds: the file supplies both (see artifacts.ts).
  return withoutRandomInit(() => modelFromTopology(json, file)) as Model;
}

/** The root attribute holding the layers' seed generator states, which Keras does not save (and ignores). */
export const SEED_GENERATORS_ATTR = 'minikeras_seed_generators';

/** The model's seed generator states as JSON text (`[{ name, state: [seed, counter] }]`), or null without any. */
export function seedGeneratorsJson(model: Model): string | null {
  const generators = model.seedGenerators;
  return generators.length === 0 ? null : JSON.stringify(generators.map((g) => ({ name: g.state.name, state: [g.seed, g.counter] })));
}

/** Checks saved seed generator states against the model; returns their restore (a file without them: nothing to do). */
export function seedGeneratorsPlan(model: Model, text: unknown, file: string): () => void {
  if (text === undefined) return () => undefined;
  let saved: unknown;
  try {
    saved = JSON.parse(String(text));
  } catch (e) {
    throw new ModelFormatError(file, `the '${SEED_GENERATORS_ATTR}' attribute is not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(saved)) throw new ModelFormatError(file, `the '${SEED_GENERATORS_ATTR}' attribute must be a list`);
  const byName = new Map(model.seedGenerators.map((g) => [g.state.name, g]));
  const plan: [Int32Array, number[]][] = [];
  for (const entry of saved) {
    const { name, state } = (entry ?? {}) as { name?: unknown; state?: unknown };
    const generator = typeof name === 'string' ? byName.get(name) : undefined;
    if (!generator) throw new ModelFormatError(file, `a saved seed generator state '${String(name)}' belongs to no layer of the model`);
    if (!Array.isArray(state) || state.length !== 2 || !state.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 31)) {
      throw new ModelFormatError(file, `seed generator state '${name}' must be two integers [seed, counter] in [0, 2^31), got ${JSON.stringify(state)}`);
    }
    plan.push([generator.state.values as Int32Array, state as number[]]);
  }
  return () => { for (const [values, state] of plan) values.set(state); };
}

// ---- model.weights.h5 ---------------------------------------------------------------------------------

function dataset(v: { values: ArrayLike<number>; shape: readonly number[]; dtype?: string }): H5Dataset {
  const int = v.dtype === 'int32';
  return { kind: 'dataset', shape: [...v.shape], dtype: int ? 'int32' : 'float32', value: int ? Int32Array.from(v.values) : Float32Array.from(v.values), attrs: {} };
}

const KERAS_CELL_NAMES: Record<string, string> = { LSTMCell: 'lstm_cell', GRUCell: 'gru_cell', SimpleRNNCell: 'simple_rnn_cell' };

/** The weights file of a model as an HDF5 tree, in Keras 3's layout (and the optimizer's state when compiled). */
export function weightsTree(model: Model, options: SaveOptions = {}): H5Group {
  const root = group();
  const generators = seedGeneratorsJson(model);
  if (generators) root.attrs[SEED_GENERATORS_ATTR] = generators;
  const tree = saveableTree(model);
  const layerAt = new Map(tree.map((n) => [n.path, n.layer]));
  for (const node of tree) {
    const g = groupAt(root, node.varsPath, true)!;
    // minikeras' RNN layers give their cell their own name (so the weights carry tfjs' names, `lstm/kernel`);
    // Keras names such a cell after its class: 'lstm_cell', 'gru_cell', 'simple_rnn_cell'.
    const owner = node.path.endsWith('/cell') ? layerAt.get(node.path.slice(0, -5)) : undefined;
    g.attrs.name = (owner?.name === node.name && KERAS_CELL_NAMES[node.layer.className]) || node.name;
    node.vars.forEach((v, i) => g.children.set(String(i), dataset(v)));
  }
  if ((options.includeOptimizer ?? true) && model.isCompiled) {
    const optimizer = model.optimizer;
    const state = optimizer.getState();
    const order = kerasOptimizerOrder(optimizer, model.trainableWeights);
    const g = groupAt(root, 'optimizer/vars', true)!;
    g.attrs.name = optimizer.name;
    order.forEach((j, k) => g.children.set(String(k), dataset(state[j]!.value)));
  }
  return root;
}

const numeric = (a: string, b: string) => Number(a) - Number(b);

/** The datasets of a `vars` group in Keras' numeric order (HDF5 lists '10' before '2'). */
function varsOf(g: H5Group): [string, H5Dataset][] {
  return [...g.children.entries()].filter((e): e is [string, H5Dataset] => e[1].kind === 'dataset').sort((a, b) => numeric(a[0], b[0]));
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Checks that an HDF5 tree is a Keras 3 weights file (not a legacy .h5, not some other HDF5 file). */
export function checkWeightsTree(tree: H5Group, file: string): void {
  if (groupAt(tree, 'layers') || groupAt(tree, 'vars')) return;
  if (groupAt(tree, 'model_weights') || 'layer_names' in tree.attrs) {
    throw new ModelFormatError(file, 'is a legacy Keras .h5 file (model_weights/...), not a Keras 3 weights file; load it with loadModel, or name it .h5 so loadWeights reads it as legacy weights');
  }
  throw new ModelFormatError(file, `is an HDF5 file but not a Keras weights file: it has no 'vars' or 'layers' groups (top-level entries: ${[...tree.children.keys()].join(', ') || 'none'})`);
}

export interface ApplyWeightsOptions {
  /** Restore the optimizer state when the file has one and the model is compiled (default true). */
  optimizer?: boolean;
}

/**
 * Assigns a Keras 3 weights tree to a model: every object's `vars` group must be present with exactly its
 * variables and shapes, and no weights may be left over. Everything is checked before anything is assigned.
 */
export function applyWeightsTree(model: Model, tree: H5Group, file: string, options: ApplyWeightsOptions = {}): void {
  checkWeightsTree(tree, file);
  const plan: [Variable, H5Dataset][] = [];
  const used = new Set<string>();
  for (const node of saveableTree(model)) {
    const g = groupAt(tree, node.varsPath);
    const who = node.path === '' ? `model '${node.name}'` : `${node.layer.label} ('${node.path}')`;
    if (!g) {
      if (node.vars.length === 0) continue;
      const have = groupAt(tree, 'layers');
      throw new ModelFormatError(file, `has no group '${node.varsPath}' for the ${node.vars.length} variables of ${who}${have ? `; its layer groups are ${[...have.children.keys()].join(', ')}` : ''}`);
    }
    const stored = varsOf(g);
    if (stored.length !== node.vars.length) {
      throw new ModelFormatError(file, `${who} has ${node.vars.length} variables (${node.vars.map((v) => v.name).join(', ') || 'none'}), but '${node.varsPath}' holds ${stored.length}`);
    }
    node.vars.forEach((v, i) => {
      const [key, ds] = stored[i]!;
      if (key !== String(i)) throw new ModelFormatError(file, `'${node.varsPath}' should hold datasets 0..${stored.length - 1}, found '${key}'`);
      if (!sameShape(ds.shape, v.shape)) {
        throw new ModelFormatError(file, `variable '${v.name}' of ${who} has shape ${fmt(v.shape)} in the model, but '${node.varsPath}/${key}' has shape ${fmt(ds.shape)}`);
      }
      plan.push([v, ds]);
      used.add(`${node.varsPath}/${key}`);
    });
  }
  const leftovers = datasetPaths(tree).filter((p) => !used.has(p) && !p.startsWith('optimizer/'));
  if (leftovers.length > 0) {
    throw new ModelFormatError(file, `holds weights no part of model '${model.name}' owns: ${leftovers.slice(0, 8).join(', ')}${leftovers.length > 8 ? ', ...' : ''} (the file belongs to a model of another architecture)`);
  }
  let optimizerPlan: (() => void) | null = null;
  if ((options.optimizer ?? true) && model.isCompiled) {
    try {
      optimizerPlan = optimizerStatePlan(model, tree, file);
    } catch (e) {
      // As Keras: the weights load, the optimizer keeps its own state (another optimizer, another model).
      if (!(e instanceof ModelFormatError)) throw e;
      console.warn(`${e.message}; the weights are loaded, the optimizer state is not`);
    }
  }
  const restoreGenerators = seedGeneratorsPlan(model, tree.attrs[SEED_GENERATORS_ATTR], file);
  for (const [v, ds] of plan) v.assign(new Tensor(Float32Array.from(ds.value), ds.shape));
  restoreGenerators();
  if (optimizerPlan) optimizerPlan();
}

/** Checks the file's `optimizer/vars` against the model's optimizer and returns the restore, or null without state. */
function optimizerStatePlan(model: Model, tree: H5Group, file: string): (() => void) | null {
  const g = groupAt(tree, 'optimizer/vars');
  if (!g) return null;
  const stored = varsOf(g);
  const optimizer: Optimizer = model.optimizer;
  const vars = model.trainableWeights;
  optimizer.build(vars);
  const state = optimizer.getState();
  const order = kerasOptimizerOrder(optimizer, vars);
  if (stored.length === 2 && state.length > 2) {
    // An optimizer saved before its first step (Keras creates its slots on build): only the counters.
    return () => {
      const entries = state.map((e) => ({ ...e }));
      entries[order[0]!] = { name: 'iteration', value: new Tensor(Int32Array.from(stored[0]![1].value), [], 'int32') };
      optimizer.setState(entries);
    };
  }
  if (stored.length !== state.length) {
    throw new ModelFormatError(file, `'optimizer/vars' holds ${stored.length} variables, but ${optimizer.className} on model '${model.name}' has ${state.length} (${state.map((e) => e.name).join(', ')})`);
  }
  const entries = state.map((e) => ({ ...e }));
  order.forEach((j, k) => {
    const [key, ds] = stored[k]!;
    const want = state[j]!;
    if (!sameShape(ds.shape, want.value.shape)) {
      throw new ModelFormatError(file, `optimizer variable '${want.name}' has shape ${fmt(want.value.shape)}, but 'optimizer/vars/${key}' has shape ${fmt(ds.shape)}`);
    }
    entries[j] = { name: want.name, value: want.value.dtype === 'int32' ? new Tensor(Int32Array.from(ds.value), ds.shape, 'int32') : new Tensor(Float32Array.from(ds.value), ds.shape) };
  });
  return () => optimizer.setState(entries);
}

// ---- whole files ----------------------------------------------------------------------------------------

/** `model.weights.h5` / `.weights.h5` bytes. */
export async function weightsToH5(model: Model, options: SaveOptions = {}): Promise<Uint8Array> {
  return writeH5(weightsTree(model, options));
}

/** Loads `.weights.h5` bytes into a built model (and its optimizer, when compiled). */
export async function weightsFromH5(model: Model, bytes: Uint8Array, file: string, options: ApplyWeightsOptions = {}): Promise<void> {
  applyWeightsTree(model, await readH5(bytes, file), file, options);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `.keras` bytes: metadata.json, config.json, model.weights.h5, stored, in Keras' order. */
export async function modelToKeras(model: Model, options: SaveOptions = {}): Promise<Uint8Array> {
  const d = new Date();
  const metadata = { keras_version: KERAS_FORMAT_VERSION, date_saved: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}@${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`, saved_by: `minikeras ${MINIKERAS_VERSION}` };
  const config = kerasConfigJson(model, options);
  const weights = await weightsToH5(model, options);
  const text = new TextEncoder();
  return zip([['metadata.json', text.encode(JSON.stringify(metadata))], ['config.json', text.encode(JSON.stringify(config))], ['model.weights.h5', weights]]);
}

function parseJsonMember(bytes: Uint8Array, member: string, file: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ModelFormatError(file, `${member} is not valid JSON (${(e as Error).message})`);
  }
}

/** Rebuilds a model from `.keras` bytes: config, weights, and (unless `compile: false`) compile config and optimizer state. */
export async function modelFromKeras(bytes: Uint8Array, file: string, options: LoadOptions = {}): Promise<Model> {
  const members = await unzip(bytes, file);
  const names = Object.keys(members);
  if (!members['config.json']) throw new ModelFormatError(file, `the archive has no config.json, so it is not a Keras model file (it holds ${names.join(', ') || 'nothing'})`);
  const config = parseJsonMember(members['config.json'], 'config.json', file) as Record<string, unknown>;
  const model = modelFromKerasConfig(config, file);
  const compileConfig = config.compile_config as Record<string, unknown> | null | undefined;
  const compile = options.compile !== false && compileConfig != null;
  if (compile) compileFromKerasConfig(model, compileConfig, file);
  const weights = members['model.weights.h5'];
  if (!weights) {
    if (model.weights.length > 0) throw new ModelFormatError(file, `the archive has no model.weights.h5 (it holds ${names.join(', ')})`);
    return model;
  }
  applyWeightsTree(model, await readH5(weights, `${file}/model.weights.h5`), `${file}/model.weights.h5`, { optimizer: compile });
  return model;
}

/** The losses a Keras compile_config gave as objects (`MeanSquaredError()`), with that JSON, to be saved as such. */
const lossesGivenAsObjects = new WeakMap<object, unknown>();

/** Compiles a model from Keras' compile_config (optimizer, loss, loss_weights, metrics). */
export function compileFromKerasConfig(model: Model, cc: Record<string, unknown>, file: string): void {
  if (typeof cc !== 'object' || cc === null) throw new ModelFormatError(file, 'compile_config must be an object');
  if (cc.optimizer == null || cc.loss == null) return;
  const optimizer = typeof cc.optimizer === 'string' ? { class_name: cc.optimizer, config: {} } : cc.optimizer;
  const tc: TrainingConfig = { optimizer_config: optimizer as TrainingConfig['optimizer_config'], loss: cc.loss, metrics: cc.metrics ?? [], loss_weights: cc.loss_weights, weighted_metrics: cc.weighted_metrics };
  compileFromTrainingConfig(model, tc, [], 'keras', file);
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && typeof (v as { class_name?: unknown }).class_name === 'string';
  const outputs = model.requireCompiled('load').outputs;
  outputs.forEach((o, i) => {
    const given = isObject(cc.loss) ? cc.loss : Array.isArray(cc.loss) ? cc.loss[i] : (cc.loss as Record<string, unknown>)[o.name];
    if (o.loss && isObject(given)) lossesGivenAsObjects.set(o.loss, given);
  });
}

export type { H5Group, SymbolicShape };

/**
 * A functional model's Keras config, both ways. We write the Keras 2 form that tfjs-layers and Keras 3 both
 * read: each layer with `inbound_nodes` as lists of `[layer, node index, tensor index, kwargs]`, plus
 * `input_layers` / `output_layers` triples. We read that and Keras 3's form, where an inbound node is
 * `{ args, kwargs }` with `__keras_tensor__` objects carrying `keras_history`. Node indices count only the nodes
 * of this model, in the order the layer was called (Keras' node re-indexing).
 */
import type { Layer } from '../engine/layer';
import { isSymbolic as isSymbolicTensor } from '../engine/symbolic-tensor';
import type { Node, SymbolicTensor } from '../engine/symbolic-tensor';
import { mapStructure } from '../engine/structure';
import type { Nested } from '../engine/structure';
import type { FunctionalGraph } from '../models/functional-graph';
import { getRegisteredClass } from '../engine/registry';
import { deserializeLayer, isModel, isObjectKey, serializeLayer } from './keras-config';
import type { KerasObjectJson } from './keras-config';

/** `[layer name, node index, tensor index]`. */
export type TensorRef = [string, number, number];

export interface FunctionalLayerJson extends KerasObjectJson {
  name: string;
  inbound_nodes: unknown[];
}

export interface FunctionalConfig {
  name: string;
  trainable?: boolean;
  layers: FunctionalLayerJson[];
  inputLayers: TensorRef[] | TensorRef | Record<string, TensorRef>;
  outputLayers: TensorRef[] | TensorRef | Record<string, TensorRef>;
}

/**
 * Whether a layer's node indices in a config start at 1: Keras and tfjs count the node that links a nested
 * model's own inputs to its outputs as node 0 (Keras' `_should_skip_first_node`), which minikeras' models do
 * not record. Keras 2 and tfjs (the list form) do it for every model with a graph, a Sequential with an input
 * shape included; Keras 3 (the dict form) for Functional models only.
 */
function countsOwnNode(layer: Layer, keras3: boolean): boolean {
  if (!isModel(layer) || (layer as unknown as { graph?: unknown }).graph == null) return false;
  if (!keras3) return true;
  const sequential = getRegisteredClass('Sequential') as unknown as (abstract new (...args: never[]) => unknown) | undefined;
  return !(sequential && layer instanceof sequential);
}

/** The config of a functional model (camelCase top-level keys; the layers inside are Keras JSON). */
export function functionalConfig(model: Layer, graph: FunctionalGraph): FunctionalConfig {
  const nodeIndex = new Map<Node, number>();
  const graphNodes = new Set(graph.nodes);
  for (const layer of graph.layers) {
    const own = layer.inboundNodes.filter((n) => n.isInput || graphNodes.has(n));
    const first = countsOwnNode(layer, false) ? 1 : 0;
    own.forEach((n, i) => nodeIndex.set(n, i + first));
  }
  const ref = (t: SymbolicTensor): TensorRef => [t.node.layer.name, nodeIndex.get(t.node)!, t.tensorIndex];
  const layers = graph.layers.map((layer): FunctionalLayerJson => {
    const json = serializeLayer(layer);
    const nodes = layer.inboundNodes.filter((n) => !n.isInput && graphNodes.has(n));
    return {
      ...json,
      name: layer.name,
      inbound_nodes: nodes.map((n) => n.inputTensors.map((t) => [...ref(t), { ...n.kwargs }])),
    };
  });
  return {
    name: model.name,
    trainable: model.trainable,
    layers,
    inputLayers: refsOf(graph.inputs, graph.flatInputs, ref),
    outputLayers: refsOf(graph.outputs, graph.flatOutputs, ref),
  };
}

/**
 * Inputs or outputs as references: a record of tensors stays a record (Keras 3 writes `input_layers` /
 * `output_layers` in the model's structure; losses and data are keyed by it), anything else is the flat list
 * Keras 2 and tfjs write. tfjs models have no records, so tfjs cannot load a model whose inputs or outputs are one.
 */
function refsOf(structure: Nested<SymbolicTensor>, flat: readonly SymbolicTensor[], ref: (t: SymbolicTensor) => TensorRef): TensorRef[] | Record<string, TensorRef> {
  if (typeof structure === 'object' && structure !== null && !Array.isArray(structure) && !isSymbolicTensor(structure)) {
    const entries = Object.entries(structure as Record<string, Nested<SymbolicTensor>>);
    if (entries.every(([, t]) => isSymbolicTensor(t))) return Object.fromEntries(entries.map(([k, t]) => [k, ref(t as SymbolicTensor)]));
  }
  return flat.map(ref);
}

function fail(where: string, message: string): never {
  throw new Error(`${where}: ${message}`);
}

function asRef(value: unknown, where: string): TensorRef {
  if (!Array.isArray(value) || typeof value[0] !== 'string' || !Number.isInteger(value[1]) || !Number.isInteger(value[2] ?? 0)) {
    fail(where, `expected a tensor reference [layer name, node index, tensor index], got ${JSON.stringify(value)?.slice(0, 120)}`);
  }
  return [value[0], value[1] as number, (value[2] as number | undefined) ?? 0];
}

/** A `__keras_tensor__` (Keras 3) as a reference. */
function kerasTensorRef(value: unknown): TensorRef | null {
  if (typeof value !== 'object' || value === null || (value as { class_name?: unknown }).class_name !== '__keras_tensor__') return null;
  const history = (value as { config?: { keras_history?: unknown } }).config?.keras_history;
  return asRef(history, 'keras tensor');
}

interface PendingNode {
  layer: Layer;
  /** The inputs as references, in the structure the layer was called with. */
  inputs: Nested<TensorRef>;
  kwargs: Record<string, unknown>;
}

function parseNode(layer: Layer, raw: unknown, where: string): PendingNode {
  if (Array.isArray(raw)) {
    // Keras 2 / tfjs: [[name, node, tensor, kwargs], ...]; one entry means the layer took one tensor.
    const refs = raw.map((r, i) => asRef(r, `${where} input ${i}`));
    const kwargs = raw.length > 0 && typeof raw[0][3] === 'object' && raw[0][3] !== null ? { ...(raw[0][3] as Record<string, unknown>) } : {};
    for (const k of Object.keys(kwargs)) if (isObjectKey(k)) fail(where, `'${k}' is not a call argument (it names a property of every JavaScript object)`);
    return { layer, inputs: refs.length === 1 ? refs[0]! : refs, kwargs };
  }
  if (typeof raw === 'object' && raw !== null && Array.isArray((raw as { args?: unknown }).args)) {
    const { args, kwargs = {} } = raw as { args: unknown[]; kwargs?: Record<string, unknown> };
    if (args.length !== 1) fail(where, `expected one positional argument (the inputs), got ${args.length}`);
    const convert = (v: unknown): Nested<TensorRef> => {
      const r = kerasTensorRef(v);
      if (r) return r as unknown as Nested<TensorRef>;
      if (Array.isArray(v)) return v.map(convert) as Nested<TensorRef>;
      if (typeof v === 'object' && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => {
          if (isObjectKey(k)) fail(where, `'${k}' cannot key an input record (it names a property of every JavaScript object)`);
          return [k, convert(x)];
        })) as Nested<TensorRef>;
      }
      return fail(where, `an input of the call is ${JSON.stringify(v)}; minikeras rebuilds calls on tensors only`);
    };
    const extra: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(kwargs ?? {})) {
      if (isObjectKey(k)) fail(where, `'${k}' is not a call argument (it names a property of every JavaScript object)`);
      if (k === 'training' && typeof v === 'boolean') extra.training = v;
      else if (k === 'mask' && (v === null || kerasTensorRef(v))) continue; // masks ride with the tensors here
      else if (v !== null) fail(where, `the call argument '${k}' = ${JSON.stringify(v)?.slice(0, 80)} is not supported`);
    }
    return { layer, inputs: convert(args[0]), kwargs: extra };
  }
  return fail(where, `an inbound node must be a list (Keras 2 / tfjs) or { args, kwargs } (Keras 3), got ${JSON.stringify(raw)?.slice(0, 120)}`);
}

const historyOf = (v: unknown): unknown => (v as { config?: { keras_history?: unknown } } | null)?.config?.keras_history;
const sameRef = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Keras 3.16 records an Embedding's mask (mask_zero) as an operation node `NotEqual(tokens, 0)` passed as the
 * next layer's `mask` argument. minikeras' Embedding makes that same mask and it rides with the tensor, so
 * such a node is dropped when it is used only as the mask of a layer fed by an Embedding with mask_zero on
 * the same tokens. (Keras 3.16 also stops masks at RNN layers, where released Keras and minikeras pass them
 * on: see the fixtures' README.)
 */
function isEmbeddingMaskOp(op: FunctionalLayerJson, layers: readonly FunctionalLayerJson[]): boolean {
  if (op.class_name !== 'NotEqual' || !Array.isArray(op.inbound_nodes) || op.inbound_nodes.length !== 1) return false;
  const node = op.inbound_nodes[0] as { args?: unknown[] };
  if (!Array.isArray(node?.args) || node.args.length !== 2 || node.args[1] !== 0) return false;
  const tokens = historyOf(node.args[0]);
  if (!Array.isArray(tokens)) return false;
  const byName = new Map(layers.map((l) => [l.name, l]));
  for (const layer of layers) {
    for (const raw of Array.isArray(layer.inbound_nodes) ? layer.inbound_nodes : []) {
      const n = raw as { args?: unknown[]; kwargs?: Record<string, unknown> };
      const uses = JSON.stringify(n?.args ?? []).includes(`"keras_history":["${op.name}",`);
      if (uses) return false;
      const mask = historyOf(n?.kwargs?.mask);
      if (!Array.isArray(mask) || mask[0] !== op.name) continue;
      const fed = historyOf(n.args?.[0]);
      const embedding = Array.isArray(fed) ? byName.get(String(fed[0])) : undefined;
      const embeddingInput = historyOf((embedding?.inbound_nodes?.[0] as { args?: unknown[] } | undefined)?.args?.[0]);
      if (embedding?.class_name !== 'Embedding' || embedding.config?.mask_zero !== true || !sameRef(embeddingInput, tokens)) return false;
    }
  }
  return true;
}

const isRef = (v: unknown): v is TensorRef => Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'number';

/** Rebuilds a functional model: layers from their configs, then their calls, in an order where inputs exist. */
export function functionalFromConfig<M>(config: FunctionalConfig, make: (args: { inputs: Nested<SymbolicTensor>; outputs: Nested<SymbolicTensor>; name?: string }) => M): M {
  const where = `functional model '${String(config?.name ?? '')}'`;
  if (typeof config !== 'object' || config === null || !Array.isArray(config.layers)) fail(where, 'the config has no layers list');
  const byName = new Map<string, Layer>();
  const pending: PendingNode[] = [];
  const opNodes = new Map<string, string>();
  // Keras 3 writes inbound nodes as { args, kwargs }; its node numbering differs for nested Sequential models.
  const keras3 = config.layers.some((entry) => Array.isArray((entry as { inbound_nodes?: unknown })?.inbound_nodes)
    && (entry as { inbound_nodes: unknown[] }).inbound_nodes.some((n) => typeof n === 'object' && n !== null && !Array.isArray(n)));
  config.layers.forEach((entry, i) => {
    if (typeof entry !== 'object' || entry === null) fail(where, `layer ${i} is not an object`);
    const { inbound_nodes: inbound, name, ...json } = entry as FunctionalLayerJson;
    // Legacy .h5 configs drop `module`, so there an operation node is known by its class name only.
    const isOp = typeof json.module === 'string' ? json.module.startsWith('keras.src.ops') : json.class_name === 'NotEqual' && !getRegisteredClass('NotEqual');
    if (isOp) {
      const problem = `layer ${i} is a Keras operation node (${json.class_name} '${String(name)}'), not a layer; minikeras rebuilds graphs of layers (re-save the model with the operation wrapped in a layer)`;
      if (!isEmbeddingMaskOp(entry as FunctionalLayerJson, config.layers)) fail(where, problem);
      opNodes.set(String(name), problem);
      return;
    }
    const layer = deserializeLayer(json, `${where} layer ${i}`);
    if (typeof name === 'string' && name !== layer.name) fail(where, `layer ${i} is listed as '${name}' but its config names it '${layer.name}'`);
    if (byName.has(layer.name)) fail(where, `two layers are named '${layer.name}'`);
    byName.set(layer.name, layer);
    if (inbound !== undefined && !Array.isArray(inbound)) fail(where, `inbound_nodes of layer '${layer.name}' must be a list`);
    (inbound ?? []).forEach((raw, k) => pending.push(parseNode(layer, raw, `${where} layer '${layer.name}' node ${k}`)));
  });
  const resolve = (r: TensorRef, needer: string): SymbolicTensor | null => {
    if (opNodes.has(r[0])) fail(where, `${needer} takes the output of ${opNodes.get(r[0])}`);
    const layer = byName.get(r[0]);
    if (!layer) fail(where, `${needer} reads from layer '${r[0]}', which is not in the model`);
    const first = countsOwnNode(layer, keras3) ? 1 : 0;
    if (r[1] < first) {
      fail(where, `${needer} reads node ${r[1]} of the nested model '${r[0]}', the node linking its own inputs to its outputs; the calls of a nested model are numbered from 1`);
    }
    const node = layer.inboundNodes[r[1] - first];
    if (!node) return null;
    const t = node.outputTensors[r[2]];
    if (!t) fail(where, `${needer} reads output ${r[2]} of layer '${r[0]}', which has ${node.outputTensors.length}`);
    return t;
  };
  // Keras' loop: call every layer whose inputs exist, until all calls are made (shared layers may wait).
  // Calls of one layer stay in file order, so node indices match the file's.
  let queue = pending;
  while (queue.length > 0) {
    const waiting: PendingNode[] = [];
    const blocked = new Set<Layer>();
    for (const p of queue) {
      if (blocked.has(p.layer)) { waiting.push(p); continue; }
      let ready = true;
      const inputs = mapStructure(p.inputs, isRef, (r) => {
        const t = resolve(r, `layer '${p.layer.name}'`);
        if (!t) ready = false;
        return t;
      });
      if (!ready) { waiting.push(p); blocked.add(p.layer); continue; }
      p.layer.apply(inputs as Nested<SymbolicTensor>, typeof p.kwargs.training === 'boolean' ? { training: p.kwargs.training } : {});
    }
    if (waiting.length === queue.length) {
      fail(where, `cannot rebuild the calls of ${[...new Set(waiting.map((p) => `'${p.layer.name}'`))].join(', ')}: their inputs are never produced`);
    }
    queue = waiting;
  }
  const refsToTensors = (value: FunctionalConfig['inputLayers'], what: string): Nested<SymbolicTensor> => {
    if (isRef(value)) return resolveFinal(value as TensorRef, what);
    if (Array.isArray(value)) {
      const list = value.map((r) => resolveFinal(asRef(r, what), what));
      return list.length === 1 ? list[0]! : list;
    }
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, r]) => {
        if (isObjectKey(k)) fail(where, `${what}: '${k}' cannot name an ${what === 'input_layers' ? 'input' : 'output'} (it names a property of every JavaScript object)`);
        return [k, resolveFinal(asRef(r, what), what)];
      }));
    }
    return fail(where, `${what} must be a list of tensor references`);
  };
  const resolveFinal = (r: TensorRef, what: string): SymbolicTensor => resolve(r, what) ?? fail(where, `${what} refers to call ${r[1]} of layer '${r[0]}', which the model does not make`);
  const inputs = refsToTensors(config.inputLayers, 'input_layers');
  const outputs = refsToTensors(config.outputLayers, 'output_layers');
  const name = typeof config.name === 'string' ? config.name : undefined;
  const model = make(name === undefined ? { inputs, outputs } : { inputs, outputs, name });
  // A frozen model (a pretrained base inside another) comes back frozen, its own flag included.
  if (config.trainable === false) (model as unknown as Layer).trainable = false;
  return model;
}


/**
 * Where each variable lives in a Keras 3 weights file (`model.weights.h5`, `.weights.h5`): Keras walks the
 * object tree (saving_lib's `_save_state`) and gives every object a `vars` group holding its own variables
 * as datasets `0`, `1`, ... in the order of its `weights` (trainable first, then non-trainable, each in
 * creation order). Paths follow attributes, not layer names:
 *
 * - the model itself is the root: `vars` (attribute `name` = the model's name, usually no datasets);
 * - a Sequential's or Functional's layers are the container `layers`: each layer under the snake_case of its
 *   class name with a counter per container: `layers/dense`, `layers/dense_1`, `layers/conv2d`, ... (a
 *   Functional lists its InputLayers, a Sequential does not); a nested model has its own `layers/...` inside;
 * - a layer holding other layers has them under the attribute's name, visited in Keras' natural sort order:
 *   `layers/lstm/cell/vars/0`, `layers/bidirectional/backward_layer/cell/...`, `.../forward_layer/...`;
 *   a list of layers is a container again (`<attr>/dense`, `<attr>/dense_1`);
 * - the optimizer's variables are `optimizer/vars/0...` in Keras' `optimizer.variables` order.
 *
 * Nested objects are found by a per-class hook: `registerSaveableChildren(className, layer => [[attr,
 * child], ...])` says which sublayers a class holds under which Keras attribute names (RNN layers hold a
 * `cell`, Bidirectional a `forward_layer` and a `backward_layer`). A class without a hook is walked like
 * Keras walks attributes: every own property holding a Layer (or a list or record of Layers), named by the
 * property in snake_case (`forwardLayer` -> `forward_layer`).
 */
import type { Variable } from '@minikeras/tensor';
import type { Optimizer } from '@minikeras/optimizers';
import { Layer, snakeCase } from '../engine/layer';
import { isRecord } from '../engine/structure';
import { toSnakeKey } from './keras-config';

/** One object of the tree: its `vars` group and its own variables in Keras' order. */
export interface SaveableNode {
  /** The group path of the object ('' for the model, 'layers/dense', 'layers/lstm/cell', ...). */
  path: string;
  /** The path of its variables group (`<path>/vars`). */
  varsPath: string;
  /** The object's name (the `name` attribute of its vars group). */
  name: string;
  layer: Layer;
  vars: Variable[];
}

/** A layer's sublayers under their Keras attribute names; a list is saved as a container. */
export type SaveableChildren = (layer: Layer) => [attribute: string, child: Layer | readonly Layer[]][];

const hooks = new Map<string, SaveableChildren>();

/**
 * Declares which sublayers instances of `className` hold, under which Keras attribute names, in the order
 * Keras visits them (its attribute names in natural sort order). Overrides the generic property walk.
 */
export function registerSaveableChildren(className: string, children: SaveableChildren): void {
  hooks.set(className, children);
}

function property(layer: Layer, prop: string, attribute: string): Layer {
  const value = (layer as unknown as Record<string, unknown>)[prop];
  if (!(value instanceof Layer)) {
    throw new Error(`${layer.label}: Keras saves its '${attribute}' sublayer, but the layer has no '${prop}' property holding a Layer; register its children with registerSaveableChildren('${layer.className}', ...)`);
  }
  return value;
}

// Keras' RNN layers keep their cell as `cell`; Bidirectional its two RNNs as `forward_layer` and `backward_layer`.
for (const rnn of ['SimpleRNN', 'LSTM', 'GRU', 'RNN', 'ConvLSTM1D', 'ConvLSTM2D', 'ConvLSTM3D']) {
  registerSaveableChildren(rnn, (l) => [['cell', property(l, 'cell', 'cell')]]);
}
registerSaveableChildren('Bidirectional', (l) => [
  ['backward_layer', property(l, 'backwardLayer', 'backward_layer')],
  ['forward_layer', property(l, 'forwardLayer', 'forward_layer')],
]);

/** Keras' `natural_sort_key`: digit runs compare as numbers ('layer2' < 'layer10'). */
function naturalCompare(a: string, b: string): number {
  const split = (s: string) => s.toLowerCase().split(/(\d+)/).map((t) => (/^\d+$/.test(t) ? Number(t) : t));
  const x = split(a), y = split(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!, q = y[i]!;
    if (p === q) continue;
    if (typeof p === 'number' && typeof q === 'number') return p - q;
    return String(p) < String(q) ? -1 : 1;
  }
  return x.length - y.length;
}

/** Whether the model is a Sequential or a functional graph (Keras yields only its `layers` then). */
function isGraphModel(layer: Layer): boolean {
  return layer.className === 'Sequential' || (layer as unknown as { graph?: unknown }).graph != null;
}

function isModelLike(layer: Layer): boolean {
  return typeof (layer as unknown as { compile?: unknown }).compile === 'function';
}

function childrenOf(layer: Layer): [string, Layer | readonly Layer[]][] {
  const hook = hooks.get(layer.className);
  if (hook) return hook(layer);
  const model = isModelLike(layer);
  if (model && isGraphModel(layer)) return [['layers', (layer as unknown as { layers: Layer[] }).layers]];
  const out: [string, Layer | readonly Layer[]][] = [];
  for (const [prop, value] of Object.entries(layer)) {
    if (value === layer) continue;
    if (value instanceof Layer) out.push([toSnakeKey(prop), value]);
    else if (Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof Layer)) out.push([toSnakeKey(prop), value as Layer[]]);
    else if (isRecord(value) && !(value instanceof Layer) && Object.keys(value).length > 0 && Object.values(value).every((v) => v instanceof Layer)) {
      out.push([toSnakeKey(prop), Object.values(value) as Layer[]]);
    }
  }
  // A subclassed model also has its `layers` attribute (every tracked layer), visited in name order too.
  if (model) out.push(['layers', (layer as unknown as { layers: Layer[] }).layers]);
  return out.sort((a, b) => naturalCompare(a[0], b[0]));
}

/** A layer's own variables (not its sublayers'), in its `weights` order. */
function ownVariables(layer: Layer): Variable[] {
  const nested = new Set<Variable>();
  for (const sub of layer.sublayers) for (const w of sub.weights) nested.add(w);
  return layer.weights.filter((w) => !nested.has(w));
}

const join = (a: string, b: string) => (a === '' ? b : `${a}/${b}`);

/** The object tree of a model in Keras' visiting order, each object with its own variables. */
export function saveableTree(model: Layer): SaveableNode[] {
  const out: SaveableNode[] = [];
  const visited = new Set<Layer>();
  const visit = (layer: Layer, path: string, name = layer.name) => {
    if (visited.has(layer)) return;
    visited.add(layer);
    out.push({ path, varsPath: join(path, 'vars'), name, layer, vars: ownVariables(layer) });
    for (const [attribute, child] of childrenOf(layer)) {
      if (child instanceof Layer) {
        // minikeras' built-in RNN layers give their cell their own name (so the weights carry tfjs' names,
        // `lstm/kernel`); Keras names such a cell after its class: 'lstm_cell', 'gru_cell', 'simple_rnn_cell'.
        visit(child, join(path, attribute), attribute === 'cell' && child.name === layer.name ? snakeCase(child.className) : child.name);
        continue;
      }
      const used = new Map<string, number>();
      for (const item of child) {
        if (visited.has(item)) continue;
        let key = snakeCase(item.className);
        const n = used.get(key);
        used.set(key, n === undefined ? 0 : n + 1);
        if (n !== undefined) key = `${key}_${n + 1}`;
        visit(item, join(join(path, attribute), key));
      }
    }
  };
  visit(model, '');
  return out;
}

// ---- the optimizer ----------------------------------------------------------------------------------

/**
 * Slot groups Keras 3 creates interleaved per variable (`add_optimizer_variables(vars, [a, b])`), where
 * minikeras' `getState` lists them one slot after the other (tfjs' layout). Other optimizers already
 * list their slots in Keras' order.
 */
const INTERLEAVED: Record<string, string[][]> = {
  Adam: [['momentum', 'velocity'], ['velocity_hat']],
  AdamW: [['momentum', 'velocity'], ['velocity_hat']],
  Nadam: [['momentum', 'velocity']],
  Adadelta: [['accumulated_grad', 'accumulated_delta_var']],
};

/**
 * The permutation from `optimizer.getState()` order to Keras' `optimizer.variables` order: `perm[k]` is the
 * getState index of Keras' variable k. Keras: iteration, learning_rate, then the per-variable `average`
 * (use_ema) and `gradient_accumulator` groups, then the optimizer's slots, then extra scalars (Nadam's
 * u_product). `vars` are the variables the optimizer was built on.
 */
export function kerasOptimizerOrder(optimizer: Optimizer, vars: readonly Variable[]): number[] {
  const names = optimizer.getState().map((e) => e.name);
  const index = new Map(names.map((n, i) => [n, i]));
  const used = new Set<number>();
  const out: number[] = [];
  const take = (name: string) => {
    const i = index.get(name);
    if (i !== undefined && !used.has(i)) { used.add(i); out.push(i); }
  };
  take('iteration');
  take('learning_rate');
  const keys = vars.map((v) => v.name.replace(/[/:]/g, '_'));
  const groups = [['average'], ['gradient_accumulator'], ...(INTERLEAVED[optimizer.className] ?? [])];
  for (const g of groups) for (const key of keys) for (const slot of g) take(`${key}_${slot}`);
  names.forEach((_, i) => { if (!used.has(i)) { used.add(i); out.push(i); } });
  return out;
}

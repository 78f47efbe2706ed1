/**
 * The graph of a functional model (Keras 3's `Function`/`Functional`): the nodes between symbolic inputs and
 * outputs in an order where every node comes after the nodes that feed it, the layers they call, and running
 * it on real tensors. Construction checks the graph: every output reachable from the inputs alone, every input
 * used, unique layer names.
 */
import { Tensor } from '@minikeras/tensor';
import { Layer as LayerBase } from '../engine/layer';
import type { CallContext, Layer, ShapeStructure, SymbolicShape } from '../engine/layer';
import { Node, SymbolicTensor, isSymbolic } from '../engine/symbolic-tensor';
import { flatten, mapStructure } from '../engine/structure';
import type { Nested } from '../engine/structure';
import { formatSymbolicShape, isShape, shapeCompatible } from '../engine/shape';
import { setMask } from '../engine/mask';

const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;

export class FunctionalGraph {
  readonly inputs: Nested<SymbolicTensor>;
  readonly outputs: Nested<SymbolicTensor>;
  readonly flatInputs: readonly SymbolicTensor[];
  readonly flatOutputs: readonly SymbolicTensor[];
  /** Every node of the graph but the input nodes, each after the nodes it depends on. */
  readonly nodes: readonly Node[];
  /** The graph's layers, inputs first, then in call order; a shared layer once. */
  readonly layers: readonly Layer[];
  /** Names of the inputs (their InputLayers') and outputs (their layers', or the keys of a record). */
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];

  constructor(inputs: Nested<SymbolicTensor>, outputs: Nested<SymbolicTensor>, owner: string) {
    this.inputs = inputs;
    this.outputs = outputs;
    this.flatInputs = flattenSymbolic(inputs, owner, 'inputs');
    this.flatOutputs = flattenSymbolic(outputs, owner, 'outputs');
    if (this.flatInputs.length === 0) throw new Error(`${owner}: a model needs at least one input`);
    if (this.flatOutputs.length === 0) throw new Error(`${owner}: a model needs at least one output`);
    for (const t of this.flatInputs) {
      if (!t.node.isInput) {
        throw new Error(`${owner}: model inputs must come from Input(...); '${t.name}' is an output of ${t.node.layer.className} '${t.node.layer.name}'`);
      }
    }
    if (new Set(this.flatInputs).size !== this.flatInputs.length) throw new Error(`${owner}: the same input is listed twice in inputs`);

    // Depth-first from the outputs: a node is placed after everything it reads.
    const inputSet = new Set(this.flatInputs);
    const order: Node[] = [];
    const state = new Map<Node, 'visiting' | 'done'>();
    const usedInputs = new Set<SymbolicTensor>();
    const visit = (node: Node, needer: Node | null): void => {
      const s = state.get(node);
      if (s === 'done') return;
      if (s === 'visiting') throw new Error(`${owner}: the graph has a cycle through layer '${node.layer.name}'`);
      if (node.isInput) {
        const t = node.outputTensors[0]!;
        if (!inputSet.has(t)) {
          const by = needer ? ` needed by layer '${needer.layer.name}'` : '';
          throw new Error(`${owner}: graph disconnected: cannot obtain the value of input '${t.name}'${by}; it is not one of the model's inputs (${this.flatInputs.map((i) => `'${i.name}'`).join(', ')})`);
        }
        usedInputs.add(t);
        state.set(node, 'done');
        return;
      }
      state.set(node, 'visiting');
      // An explicit stack would avoid recursion; graphs are at most a few hundred nodes deep.
      for (const t of node.inputTensors) visit(t.node, node);
      state.set(node, 'done');
      order.push(node);
    };
    for (const t of this.flatOutputs) visit(t.node, null);
    const unused = this.flatInputs.filter((t) => !usedInputs.has(t));
    if (unused.length > 0) {
      throw new Error(`${owner}: input${unused.length > 1 ? 's' : ''} ${unused.map((t) => `'${t.name}'`).join(', ')} ${unused.length > 1 ? 'are' : 'is'} not connected to any output; every input must be used`);
    }
    this.nodes = order;

    const layers: Layer[] = [];
    const seen = new Set<Layer>();
    const add = (l: Layer) => { if (!seen.has(l)) { seen.add(l); layers.push(l); } };
    for (const t of this.flatInputs) add(t.node.layer as Layer);
    for (const node of order) add(node.layer as Layer);
    const names = new Map<string, Layer>();
    for (const l of layers) {
      const other = names.get(l.name);
      if (other) throw new Error(`${owner}: two layers are named '${l.name}' (${other.className} and ${l.className}); layer names in a model must be unique`);
      names.set(l.name, l);
    }
    this.layers = kerasLayerOrder(this.flatInputs, this.flatOutputs, layers);
    // A record of inputs is fed by its keys (Keras 3); otherwise by the InputLayers' names.
    this.inputNames = namesOf(inputs, this.flatInputs, (t) => t.node.layer.name);
    this.outputNames = namesOf(outputs, this.flatOutputs, (t) => t.node.layer.name);
    if (new Set(this.outputNames).size !== this.outputNames.length) {
      // The same layer's tensor twice (or two outputs of one layer): number them as Keras does.
      this.outputNames = this.outputNames.map((n, i) => (this.outputNames.indexOf(n) === i ? n : `${n}_${i}`));
    }
  }

  /** The inputs as a flat list in `flatInputs` order, from a tensor, a list, or a record by input name. */
  flattenInputs(inputs: Nested<Tensor>, owner: string): Tensor[] {
    const names = this.inputNames;
    let flat: Tensor[];
    if (inputs instanceof Tensor) flat = [inputs];
    else if (Array.isArray(inputs)) flat = flatten(inputs, isTensor);
    else {
      // A record by input name (the keys of a record of inputs, or the InputLayers' names).
      const record = inputs as Record<string, Nested<Tensor>>;
      for (const key of Object.keys(record)) {
        if (!names.includes(key)) throw new Error(`${owner}: the model has no input named '${key}'; its inputs are ${names.join(', ')}`);
      }
      flat = names.map((n) => {
        const v = record[n];
        if (!(v instanceof Tensor)) throw new Error(`${owner}: no tensor for input '${n}' (inputs: ${names.join(', ')})`);
        return v;
      });
    }
    if (flat.length !== this.flatInputs.length) {
      throw new Error(`${owner}: expected ${this.flatInputs.length} input tensor${this.flatInputs.length === 1 ? '' : 's'} (${names.join(', ')}), got ${flat.length}`);
    }
    flat.forEach((t, i) => {
      const expected = this.flatInputs[i]!.shape;
      if (!shapeCompatible([null, ...t.shape.slice(1)], expected) || t.rank !== expected.length) {
        throw new Error(`${owner}: input '${names[i]}' should have shape ${formatSymbolicShape(expected)}, got [${t.shape.join(', ')}]`);
      }
    });
    return flat;
  }

  /** Runs the graph on real inputs (flat, in `flatInputs` order); returns the outputs in their structure. */
  run(flatInputs: readonly Tensor[], ctx: CallContext): Nested<Tensor> {
    const values = new Map<SymbolicTensor, Tensor>();
    this.flatInputs.forEach((t, i) => values.set(t, flatInputs[i]!));
    // An explicit mask (`model.apply(x, { mask })`) rides with the inputs from here on, as Keras 3 sets it on them.
    const explicit = ctx.mask === undefined || ctx.mask === null ? null
      : ctx.mask instanceof Tensor ? [ctx.mask] : flatten(ctx.mask, (v): v is Tensor | null => v === null || v instanceof Tensor);
    if (explicit) flatInputs.forEach((x, i) => { if (explicit[i]) setMask(x, explicit[i]!); });
    for (const node of this.nodes) {
      const args = node.inputs instanceof SymbolicTensor ? values.get(node.inputs)! : mapStructure(node.inputs, isSymbolic, (t) => values.get(t)!);
      const training = typeof node.kwargs.training === 'boolean' ? node.kwargs.training : ctx.training;
      // Layer's apply, not a nested Model's override (which skips gradient recording for inference calls).
      const out = LayerBase.prototype.apply.call(node.layer as Layer, args as Nested<Tensor>, { training }) as Nested<Tensor>;
      const outs = out instanceof Tensor ? [out] : flatten(out, isTensor);
      if (outs.length !== node.outputTensors.length) {
        throw new Error(`${node.layer.className} '${node.layer.name}' returned ${outs.length} tensors where its symbolic call returned ${node.outputTensors.length}`);
      }
      node.outputTensors.forEach((t, i) => values.set(t, outs[i]!));
    }
    if (this.outputs instanceof SymbolicTensor) return values.get(this.outputs)!;
    return mapStructure(this.outputs, isSymbolic, (t) => values.get(t)!);
  }

  /** Output shapes for other input shapes, by propagating shapes through each layer. */
  computeOutputShape(inputShape: ShapeStructure): ShapeStructure {
    const shapes = isShape(inputShape) ? [inputShape] : flatten(inputShape as never, isShape);
    if (shapes.length !== this.flatInputs.length) throw new Error(`expected ${this.flatInputs.length} input shapes, got ${shapes.length}`);
    const same = shapes.every((s, i) => shapeCompatible(s, this.flatInputs[i]!.shape));
    const known = new Map<SymbolicTensor, SymbolicShape>();
    this.flatInputs.forEach((t, i) => known.set(t, shapes[i]!));
    if (!same) {
      for (const node of this.nodes) {
        const ins = node.inputs instanceof SymbolicTensor ? known.get(node.inputs)! : mapStructure(node.inputs, isSymbolic, (t) => known.get(t)!) as unknown as ShapeStructure;
        const out = (node.layer as Layer).computeOutputShape(ins);
        const outs = isShape(out) ? [out] : flatten(out as never, isShape);
        node.outputTensors.forEach((t, i) => known.set(t, outs[i]!));
      }
    }
    const shapeOf = (t: SymbolicTensor) => (same ? t.shape : known.get(t)!);
    if (this.outputs instanceof SymbolicTensor) return shapeOf(this.outputs);
    return mapStructure(this.outputs, isSymbolic, shapeOf) as unknown as ShapeStructure;
  }

  /** Removes this graph's nodes from their layers (a Sequential rebuilding its chain). */
  detach(): void {
    for (const node of this.nodes) {
      const list = node.layer.inboundNodes;
      const i = list.indexOf(node);
      if (i >= 0) list.splice(i, 1);
    }
  }
}

function flattenSymbolic(value: Nested<SymbolicTensor>, owner: string, what: string): SymbolicTensor[] {
  try {
    return flatten(value, isSymbolic);
  } catch (e) {
    throw new Error(`${owner}: ${what} must be symbolic tensors (from Input(...) and layer calls on them): ${(e as Error).message}`);
  }
}

/** The keys of a flat record of tensors, else a name per tensor. */
function namesOf(structure: Nested<SymbolicTensor>, flat: readonly SymbolicTensor[], nameOf: (t: SymbolicTensor) => string): string[] {
  if (typeof structure === 'object' && !Array.isArray(structure) && !(structure instanceof SymbolicTensor)) {
    const keys = Object.keys(structure);
    if (keys.length === flat.length && keys.every((k) => (structure as Record<string, unknown>)[k] instanceof SymbolicTensor)) return keys;
  }
  return flat.map(nameOf);
}

/**
 * The layers in the order Keras and tfjs list them (Keras' `map_graph`): by decreasing depth from the outputs,
 * ties in the order a depth-first walk from the outputs first meets them. tfjs' loader calls the layers in
 * this order and takes each node whose inputs exist, so a shared layer listed before a layer feeding one of
 * its later calls would get its calls out of order; in this order every layer comes after the layers it reads.
 */
function kerasLayerOrder(flatInputs: readonly SymbolicTensor[], flatOutputs: readonly SymbolicTensor[], layers: readonly Layer[]): Layer[] {
  const inputSet = new Set(flatInputs);
  const firstSeen = new Map<Layer, number>();
  const finished = new Set<Node>();
  const postOrder: Node[] = [];
  const visit = (t: SymbolicTensor): void => {
    const node = t.node;
    const layer = node.layer as Layer;
    if (finished.has(node)) return;
    if (!firstSeen.has(layer)) firstSeen.set(layer, firstSeen.size);
    if (!node.isInput && !inputSet.has(t)) for (const x of node.inputTensors) visit(x);
    finished.add(node);
    postOrder.push(node);
  };
  for (const t of flatOutputs) visit(t);
  const nodeDepth = new Map<Node, number>();
  const layerDepth = new Map<Layer, number>();
  for (let i = postOrder.length - 1; i >= 0; i--) {
    const node = postOrder[i]!;
    const layer = node.layer as Layer;
    const depth = Math.max(nodeDepth.get(node) ?? 0, layerDepth.get(layer) ?? 0);
    layerDepth.set(layer, depth);
    nodeDepth.set(node, depth);
    for (const parent of node.parentNodes) nodeDepth.set(parent, Math.max(depth + 1, nodeDepth.get(parent) ?? 0));
  }
  const order = [...layerDepth.keys()].sort((a, b) => layerDepth.get(b)! - layerDepth.get(a)! || firstSeen.get(a)! - firstSeen.get(b)!);
  // The graph's own layer list is the authority on which layers belong; the walk above only orders them.
  if (order.length !== layers.length || layers.some((l) => !layerDepth.has(l))) return [...layers];
  return order;
}


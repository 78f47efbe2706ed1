/**
 * `Bidirectional(layer)` (Keras 3 `keras/src/layers/rnn/bidirectional.py`): runs a recurrent layer forwards and
 * a copy of it backwards over the same sequence and merges the two outputs.
 */
import { Tensor, add, concat, formatShape, gather, mul, tensor } from '@minikeras/tensor';
import { Layer, WEIGHT_SCOPE, checkOptions, formatShapeStructure } from '../../engine/layer';
import type { CallContext, LayerArgs, ShapeStructure, SymbolicShape } from '../../engine/layer';
import { isShape } from '../../engine/shape';
import type { Nested } from '../../engine/structure';
import { deserializeLayer, serializeLayer } from '../../saving/keras-config';
import { scopeWeightNames } from './time-distributed';

/** How the forward and backward outputs are combined; null returns both, `[forward, backward]`. */
export type BidirectionalMergeMode = 'concat' | 'sum' | 'mul' | 'ave' | null;

const MERGE_MODES: readonly BidirectionalMergeMode[] = ['concat', 'sum', 'mul', 'ave', null];

/** Options of `new Bidirectional(layer, args)`. */
export interface BidirectionalArgs extends LayerArgs {
  /** How the two outputs are combined: 'concat' (the default), 'sum', 'mul', 'ave', or null for a list of both. */
  mergeMode?: BidirectionalMergeMode;
  /**
   * The layer that reads the sequence backwards; default a copy of `layer` (from its config) with
   * `goBackwards` flipped. It must match `layer` in `stateful`, `returnSequences` and `returnState`, and
   * differ in `goBackwards`. (Divergence from Keras 3, which sets `goBackwards: true` on the copy and so rejects
   * a `layer` that already reads backwards; tfjs and Keras 2 flip it, as here.)
   */
  backwardLayer?: Layer;
  /** Initial weights: the forward layer's, then the backward layer's (set when the layer is built). */
  weights?: readonly Tensor[];
}

/** What Bidirectional needs of a recurrent layer (the RNN layers have these; so may custom sequence layers). */
interface Recurrent {
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  stateful: boolean;
  zeroOutputForMask?: boolean;
  resetStates?: (states?: readonly Tensor[]) => void;
}

const recurrent = (layer: Layer) => layer as unknown as Recurrent;
const removePrefix = (name: string, prefix: string) => (name.startsWith(prefix) ? name.slice(prefix.length) : name);

/** A new instance of `layer`'s class from its config, with some options replaced. */
function cloneWith(layer: Layer, changes: Record<string, unknown>): Layer {
  const cls = layer.constructor as unknown as { fromConfig(config: Record<string, unknown>): unknown };
  const copy = cls.fromConfig({ ...layer.getConfig(), ...changes });
  if (!(copy instanceof Layer)) throw new Error(`${layer.label}: its class's fromConfig did not build a Layer`);
  return copy;
}

/**
 * Wraps a recurrent layer (LSTM, GRU, SimpleRNN, RNN) to read each sequence in both directions: the forward
 * layer is a copy of `layer` (made from its config, so with fresh weights), the backward layer a copy with
 * `goBackwards` flipped (or `backwardLayer`). With `returnSequences` the backward output is put back in
 * time order before the merge, so step t of the result sees x[0..t] forwards and x[t..T-1] backwards.
 *
 * Inputs are `x` [batch, time, features], or `[x, ...initialStates]`: the first half of the states start the
 * forward layer, the second half the backward one. With `returnState` the output is
 * `[merged, ...forwardStates, ...backwardStates]` (`[forward, backward, ...states]` for mergeMode null).
 * A mask reaches both layers; with `returnSequences` their outputs at masked steps are zero (Keras 3 sets
 * `zeroOutputForMask = returnSequences` on both), and the mask is passed on.
 */
export class Bidirectional extends Layer {
  static override readonly className = 'Bidirectional';
  static override readonly positionalArgs = ['layer'];
  readonly forwardLayer: Layer;
  readonly backwardLayer: Layer;
  readonly mergeMode: BidirectionalMergeMode;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly stateful: boolean;
  private initialWeights: readonly Tensor[] | null;

  constructor(layer: Layer, args: BidirectionalArgs = {}) {
    const declared = args.batchInputShape !== undefined || args.inputShape !== undefined || args.inputDim !== undefined;
    // An input shape given to the wrapped layer belongs to the wrapper (the first layer of a model).
    super(!declared && layer instanceof Layer && layer.batchInputShape ? { ...args, batchInputShape: layer.batchInputShape } : args);
    checkOptions(this.label, args, ['mergeMode', 'backwardLayer', 'weights']);
    if (!(layer instanceof Layer)) {
      throw new Error(`${this.label}: expected a recurrent Layer instance to wrap (LSTM, GRU, SimpleRNN, RNN), got ${describeValue(layer)}`);
    }
    if (args.backwardLayer !== undefined && args.backwardLayer !== null && !(args.backwardLayer instanceof Layer)) {
      throw new Error(`${this.label}: backwardLayer must be a Layer instance, got ${describeValue(args.backwardLayer)}`);
    }
    const mergeMode = args.mergeMode === undefined ? 'concat' : args.mergeMode;
    if (!MERGE_MODES.includes(mergeMode)) {
      throw new Error(`${this.label}: mergeMode must be one of 'concat', 'sum', 'mul', 'ave' or null, got ${JSON.stringify(args.mergeMode)}`);
    }
    for (const attribute of ['returnSequences', 'returnState', 'goBackwards', 'stateful'] as const) {
      if (typeof recurrent(layer)[attribute] !== 'boolean') {
        throw new Error(`${this.label}: the wrapped ${layer.label} is not a recurrent layer: it has no boolean '${attribute}' (wrap an LSTM, GRU, SimpleRNN or RNN)`);
      }
    }
    this.mergeMode = mergeMode;
    // Fresh copies from the config, so the wrapper does not share state or weights with `layer` (Keras).
    const base = removePrefix(layer.name, 'forward_');
    this.forwardLayer = cloneWith(layer, { name: `forward_${base}` });
    this.backwardLayer = args.backwardLayer ?? cloneWith(layer, { name: `backward_${removePrefix(layer.name, 'backward_')}`, goBackwards: !recurrent(layer).goBackwards });
    this.verifyLayers();
    // Keras 3: with returnSequences the outputs at masked steps are zeros in both directions.
    for (const l of [this.forwardLayer, this.backwardLayer]) {
      const r = recurrent(l);
      if (r.zeroOutputForMask !== undefined) r.zeroOutputForMask = r.returnSequences;
    }
    this.returnSequences = recurrent(layer).returnSequences;
    this.returnState = recurrent(layer).returnState;
    this.stateful = recurrent(layer).stateful;
    this.initialWeights = args.weights && args.weights.length > 0 ? [...args.weights] : null;
    this.supportsMasking = true;
  }

  private verifyLayers(): void {
    const f = recurrent(this.forwardLayer), b = recurrent(this.backwardLayer);
    if (typeof b.goBackwards !== 'boolean') {
      throw new Error(`${this.label}: backwardLayer ${this.backwardLayer.label} is not a recurrent layer: it has no boolean 'goBackwards'`);
    }
    if (f.goBackwards === b.goBackwards) {
      throw new Error(`${this.label}: the forward and backward layers must have different goBackwards values, got forwardLayer.goBackwards ${f.goBackwards} and backwardLayer.goBackwards ${b.goBackwards}`);
    }
    for (const a of ['stateful', 'returnSequences', 'returnState'] as const) {
      if (f[a] !== b[a]) {
        throw new Error(`${this.label}: the forward and backward layers must have the same '${a}', got ${f[a]} for the forward layer and ${b[a]} for the backward layer`);
      }
    }
  }

  /** The sequence shape: the input's, or the first of `[x, ...initialStates]`. */
  private sequenceShape(inputShape: ShapeStructure): SymbolicShape {
    const s = isShape(inputShape) ? inputShape : Array.isArray(inputShape) && isShape(inputShape[0]) ? inputShape[0] : null;
    if (!s || s.length < 3) {
      throw new Error(`${this.label}: expects a sequence [batch, time, features] (or [sequence, ...initialStates]), got ${formatShapeStructure(inputShape)}`);
    }
    return s;
  }

  override build(inputShape: ShapeStructure): void {
    const shape = this.sequenceShape(inputShape);
    // tfjs names the weights `<wrapper>/forward_<layer>/kernel`; the files load by those names.
    const scope = (this as { [WEIGHT_SCOPE]?: string })[WEIGHT_SCOPE] ?? this.name;
    for (const l of [this.forwardLayer, this.backwardLayer]) {
      if (l.built) continue;
      scopeWeightNames(l, `${scope}/${l.name}`);
      l.ensureBuilt(shape);
    }
    if (this.initialWeights) {
      const half = Math.floor(this.initialWeights.length / 2);
      this.forwardLayer.setWeights(this.initialWeights.slice(0, half));
      this.backwardLayer.setWeights(this.initialWeights.slice(half));
      this.initialWeights = null;
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: ShapeStructure): ShapeStructure {
    const shape = this.sequenceShape(inputShape);
    const inner = this.forwardLayer.computeOutputShape(shape);
    let output: SymbolicShape;
    let states: SymbolicShape[] = [];
    if (this.returnState) {
      const list = inner as readonly SymbolicShape[];
      output = list[0]!;
      states = list.slice(1);
    } else {
      output = inner as SymbolicShape;
    }
    const last = output[output.length - 1]!;
    if (this.mergeMode === null) return [output, output, ...states, ...states];
    const merged: SymbolicShape = this.mergeMode === 'concat' ? [...output.slice(0, -1), last === null ? null : 2 * last] : output;
    return this.returnState ? [merged, ...states, ...states] : merged;
  }

  call(inputs: Nested<Tensor>, ctx: CallContext): Nested<Tensor> {
    let x: Tensor;
    let states: Tensor[] = [];
    if (inputs instanceof Tensor) x = inputs;
    else if (Array.isArray(inputs) && inputs.length > 0 && inputs.every((t) => t instanceof Tensor)) [x, ...states] = inputs as Tensor[];
    else throw new Error(`${this.label}: expects a sequence tensor or [sequence, ...initialStates]`);
    if (x.rank !== 3) throw new Error(`${this.label}: expects a sequence [batch, time, features], got shape ${formatShape(x.shape)}`);
    if (states.length % 2 !== 0) {
      throw new Error(`${this.label}: expects an even number of initial states (the first half for the forward layer, the second for the backward layer), got ${states.length}`);
    }
    const mask = ctx.mask instanceof Tensor ? ctx.mask : Array.isArray(ctx.mask) && ctx.mask[0] instanceof Tensor ? ctx.mask[0] : null;
    const half = states.length / 2;
    const run = (layer: Layer, initial: Tensor[]): Tensor[] => {
      const out = initial.length > 0
        ? layer.apply([x, ...initial], { training: ctx.training, mask: [mask, ...initial.map(() => null)] })
        : layer.apply(x, { training: ctx.training, mask });
      return out instanceof Tensor ? [out] : (out as Tensor[]);
    };
    const [y, ...forwardStates] = run(this.forwardLayer, states.slice(0, half));
    let [yRev, ...backwardStates] = run(this.backwardLayer, states.slice(half));
    // The backward layer's sequence runs from the last step to the first: put it back in time order.
    if (this.returnSequences) {
      const time = yRev!.shape[1]!;
      yRev = gather(yRev!, tensor(Int32Array.from({ length: time }, (_, t) => time - 1 - t), [time], 'int32'), 1);
    }
    const outputs = this.mergeMode === null ? [y!, yRev!] : [this.merge(y!, yRev!)];
    if (!this.returnState) return outputs.length === 1 ? outputs[0]! : outputs;
    return [...outputs, ...forwardStates, ...backwardStates];
  }

  private merge(y: Tensor, yRev: Tensor): Tensor {
    switch (this.mergeMode) {
      case 'concat': return concat([y, yRev], -1);
      case 'sum': return add(y, yRev);
      case 'ave': return mul(add(y, yRev), 0.5);
      case 'mul': return mul(y, yRev);
      default: throw new Error(`${this.label}: unknown mergeMode ${JSON.stringify(this.mergeMode)}`);
    }
  }

  /** The input mask passed on with returnSequences (to each output for mergeMode null); states have none. */
  override computeMask(_inputs: Nested<Tensor>, mask: Nested<Tensor | null> | null): Nested<Tensor | null> | null {
    const m = mask instanceof Tensor ? mask : Array.isArray(mask) && mask[0] instanceof Tensor ? mask[0] : null;
    const out = this.returnSequences ? m : null;
    const outputs = this.mergeMode === null ? [out, out] : [out];
    if (!this.returnState) return outputs.length === 1 ? outputs[0]! : outputs;
    const stateCount = this.stateCount();
    return [...outputs, ...Array.from({ length: 2 * stateCount }, () => null)];
  }

  /** How many states each direction returns. */
  private stateCount(): number {
    const cell = (this.forwardLayer as unknown as { cell?: { stateSize?: unknown } }).cell;
    const size = cell?.stateSize;
    return Array.isArray(size) ? size.length : 1;
  }

  /** Resets the states of both directions (stateful layers only). */
  resetStates(states?: readonly Tensor[]): void {
    if (!this.stateful) throw new Error(`${this.label}: resetStates needs a stateful layer (stateful: true)`);
    if (states && states.length % 2 !== 0) throw new Error(`${this.label}: resetStates expects an even number of states (forward layer's, then backward layer's), got ${states.length}`);
    const half = states ? states.length / 2 : 0;
    for (const [layer, part] of [[this.forwardLayer, states?.slice(0, half)], [this.backwardLayer, states?.slice(half)]] as const) {
      const r = recurrent(layer);
      if (typeof r.resetStates !== 'function') throw new Error(`${this.label}: ${layer.label} has no resetStates`);
      if (part) r.resetStates.call(layer, part);
      else r.resetStates.call(layer);
    }
  }

  /**
   * Keras 3's config: `mergeMode`, the forward layer under `layer` and the backward one under `backwardLayer`.
   * `layer` carries the wrapped layer's own name (without `forward_`), which Keras 3 and tfjs both prefix again.
   */
  override getConfig(): Record<string, unknown> {
    const layer = serializeLayer(this.forwardLayer);
    layer.config.name = removePrefix(this.forwardLayer.name, 'forward_');
    return { ...super.getConfig(), mergeMode: this.mergeMode, layer, backwardLayer: serializeLayer(this.backwardLayer) };
  }

  /** Rebuilds the wrapper from its config; `layer` and `backwardLayer` may be Keras JSON or Layers. */
  static override fromConfig<T>(this: unknown, config: Record<string, unknown>): T {
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new Error(`Bidirectional.fromConfig: expected a config object, got ${JSON.stringify(config)}`);
    }
    const { layer, backwardLayer, ...options } = config;
    const where = `Bidirectional${typeof options.name === 'string' ? ` '${options.name}'` : ''}`;
    if (layer === undefined) throw new Error(`${where}.fromConfig: the config has no 'layer'`);
    const read = (v: unknown, key: string) => (v instanceof Layer ? v : deserializeLayer(v, `${where}: its ${key}`));
    const args: BidirectionalArgs = { ...(options as BidirectionalArgs) };
    if (backwardLayer != null) args.backwardLayer = read(backwardLayer, 'backward_layer');
    return new Bidirectional(read(layer, 'layer'), args) as unknown as T;
  }
}

function describeValue(v: unknown): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v)?.slice(0, 100) ?? String(v) : String(v);
}

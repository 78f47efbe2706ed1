/**
 * The Layer base (Keras 3's `keras/src/layers/layer.py`): lazy `build(inputShape)` on first call, weights
 * registered explicitly with `addWeight`, `call(inputs, { training, mask })` on a tensor or a structure of
 * tensors, sublayers whose weights are found and frozen with it, and a camelCase `getConfig()` mirroring the
 * constructor. `apply` computes on real tensors and, on symbolic tensors from `Input(...)`, records a node
 * of a functional graph and returns symbolic outputs with inferred shapes.
 */
import { Tensor, Variable, formatShape, noGrad, zeros } from '@minikeras/tensor';
import { getInitializer } from '../initializers';
import type { InitializerIdentifier } from '../initializers';
import { getRegularizer } from '../regularizers';
import type { Regularizer, RegularizerIdentifier } from '../regularizers';
import { didYouMean } from '../activations';
import { Node, SymbolicTensor, isSymbolic } from './symbolic-tensor';
import { flatten, mapStructure, isRecord } from './structure';
import type { Nested } from './structure';
import { formatShapeStructure, formatSymbolicShape, isShape } from './shape';
import type { ShapeStructure, SymbolicShape } from './shape';
import { getMask, setMask } from './mask';
import { SeedGenerator, checkNewWeight, randomInitSuspended } from './seed-generator';
import { getRegisteredClass, registerClass } from './registry';

export type { SymbolicShape, ShapeStructure } from './shape';
export { formatSymbolicShape } from './shape';

const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;

/** What `Layer.call` receives besides its inputs: Keras 3's `training` and `mask` call arguments. */
export interface CallContext {
  /** True inside `fit`/`trainOnBatch`: Dropout drops, BatchNormalization uses batch statistics. */
  training: boolean;
  /** The masks riding with the inputs (same structure), when any input has one. */
  mask?: Nested<Tensor | null> | null;
}

/** Options of `layer.apply(inputs, options)`. */
export interface ApplyOptions {
  /** Training mode; on symbolic inputs, a fixed value is recorded in the graph (`base(x, training=False)`). */
  training?: boolean;
  /** An explicit mask for the inputs (otherwise the masks riding with the input tensors are used). */
  mask?: Nested<Tensor | null> | null;
}

/** Options every layer accepts (Keras' base-layer keyword arguments, camelCased). */
export interface LayerArgs {
  /** Layer name; default: the snake_case class name, made unique (`dense`, `dense_1`, ...). */
  name?: string;
  /** Whether the layer's weights are updated by training. Default true. */
  trainable?: boolean;
  /** Input shape without the batch axis, e.g. `[784]`; only meaningful on a model's first layer. */
  inputShape?: readonly (number | null)[];
  /** Input shape with the batch axis, e.g. `[null, 784]`. */
  batchInputShape?: readonly (number | null)[];
  /** Fixed batch size, used with `inputShape`/`inputDim`. Default none (any batch size). */
  batchSize?: number;
  /** Keras 2 / tfjs shorthand for `inputShape: [inputDim]`. */
  inputDim?: number;
  /** Compute dtype; only `'float32'`. */
  dtype?: 'float32';
}

export const LAYER_ARG_KEYS = ['name', 'trainable', 'inputShape', 'batchInputShape', 'batchSize', 'inputDim', 'dtype'] as const;

const nameCounters = new Map<string, number>();

/** Keras naming: the first Dense is 'dense', then 'dense_1', 'dense_2', ... */
export function uniqueLayerName(base: string): string {
  const n = nameCounters.get(base) ?? 0;
  nameCounters.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/** Resets automatic layer names, like `keras.backend.clear_session()`. */
export function clearSession(): void {
  nameCounters.clear();
}

/** Keras' `to_snake_case`: 'Conv2D' -> 'conv2d', 'MaxPooling2D' -> 'max_pooling2d', 'BatchNormalization' -> 'batch_normalization'. */
export function snakeCase(className: string): string {
  return className.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/**
 * Throws on options the layer does not know: TypeScript catches excess properties at compile time,
 * this catches them for JavaScript callers and JSON configs.
 */
export function checkOptions(owner: string, args: object, allowed: readonly string[]): void {
  const valid = [...LAYER_ARG_KEYS, ...allowed];
  for (const key of Object.keys(args)) {
    if (!valid.includes(key)) {
      throw new Error(`${owner}: unknown option '${key}'${didYouMean(key, valid)}; valid options are ${valid.join(', ')}`);
    }
  }
}

interface WeightEntry {
  variable: Variable;
  /** Whether the weight is trainable by nature (BatchNormalization's moving statistics are not). */
  trainable: boolean;
  regularizer: Regularizer | null;
}

/**
 * Where a layer's weight names start when not at its own name ('<scope>/kernel'): a recurrent layer sets it on
 * the cells it builds, so their weights are named as tfjs names them ('rnn/kernel', 'rnn/RNNCell_0/kernel').
 */
export const WEIGHT_SCOPE: unique symbol = Symbol('minikeras.weightScope');

/** Options of `layer.addWeight(name, shape, options)` (Keras 3 `Layer.add_weight`'s arguments). */
export interface AddWeightOptions {
  /** How the weight is filled at creation: a name (`'glorot_uniform'`) or an Initializer. Default `'glorot_uniform'`. */
  initializer?: InitializerIdentifier;
  /** Whether training updates the weight (it is always in `weights`). Default true. */
  trainable?: boolean;
  /** Penalty on the weight added to the training loss. Default none. */
  regularizer?: RegularizerIdentifier | null;
}

/** The shape structure of real inputs, batch axis unknown: what `build` is called with. */
function shapesOf(inputs: Nested<Tensor>): ShapeStructure {
  if (inputs instanceof Tensor) return [null, ...inputs.shape.slice(1)];
  return mapStructure(inputs, isTensor, (t) => [null, ...t.shape.slice(1)] as SymbolicShape) as unknown as ShapeStructure;
}

/**
 * Base class of every layer and model (Keras 3 `keras.layers.Layer`): subclasses create weights in `build` with
 * `addWeight` and compute in `call`; `apply` runs a layer on tensors or on symbolic tensors from `Input(...)`.
 */
export abstract class Layer {
  /** The Keras class name used in configs and saved models. */
  static readonly className: string = 'Layer';
  /** Config keys passed, in order, as the leading constructor arguments by `fromConfig` (Dense: ['units']). */
  static readonly positionalArgs: readonly string[] = [];
  readonly name: string;
  built = false;
  /** The input shape (with batch axis) this layer was declared with, if any. */
  readonly batchInputShape: SymbolicShape | null;
  /** Whether the layer passes an input mask on to its output (Keras' `supports_masking`). */
  supportsMasking = false;
  /** The calls of this layer on symbolic tensors, in order (Keras' `_inbound_nodes`). */
  readonly inboundNodes: Node[] = [];
  private trainableFlag: boolean;
  private readonly entries: WeightEntry[] = [];
  private readonly ownSeedGenerators: SeedGenerator[] = [];

  constructor(args: LayerArgs = {}) {
    // A class that names itself is registered when its first instance is made, so a model can be saved and
    // loaded without a registration statement per class (which would keep every class in every bundle).
    const ctor = new.target as unknown as typeof Layer;
    if (Object.hasOwn(ctor, 'className') && !getRegisteredClass(ctor.className)) registerClass(ctor);
    this.name = args.name ?? uniqueLayerName(snakeCase(this.className));
    if (typeof this.name !== 'string' || this.name === '' || this.name.includes('/')) {
      throw new Error(`${this.className}: name must be a non-empty string without '/', got ${JSON.stringify(args.name)}`);
    }
    this.trainableFlag = args.trainable ?? true;
    if (args.batchInputShape) this.batchInputShape = [...args.batchInputShape];
    else if (args.inputShape) this.batchInputShape = [args.batchSize ?? null, ...args.inputShape];
    else if (args.inputDim !== undefined) this.batchInputShape = [args.batchSize ?? null, args.inputDim];
    else this.batchInputShape = null;
  }

  get className(): string {
    return (this.constructor as typeof Layer).className;
  }

  /**
   * The layers this layer holds (Keras tracks attribute assignment): any own property that is a Layer, or an
   * array or record of Layers. A model overrides this with its own list.
   */
  get sublayers(): Layer[] {
    const out: Layer[] = [];
    const seen = new Set<Layer>();
    const add = (v: unknown) => {
      if (v instanceof Layer && v !== this && !seen.has(v)) { seen.add(v); out.push(v); }
    };
    for (const value of Object.values(this)) {
      if (value instanceof Layer) add(value);
      else if (Array.isArray(value)) value.forEach(add);
      else if (isRecord(value)) Object.values(value).forEach(add);
    }
    return out;
  }

  /** Setting it false freezes every weight of the layer and of its sublayers (Keras semantics). */
  get trainable(): boolean { return this.trainableFlag; }
  set trainable(value: boolean) {
    this.trainableFlag = value;
    for (const e of this.entries) e.variable.trainable = value && e.trainable;
    for (const layer of this.sublayers) layer.trainable = value;
  }

  /** Creates the layer's weights for an input shape; called once, before the first `call`. */
  build(_inputShape: ShapeStructure): void {
    this.built = true;
  }

  /**
   * The computation. Most layers take one tensor; merge layers take an array, models whatever structure
   * their inputs have. `ctx.training` selects training behaviour, `ctx.mask` holds the input masks.
   */
  abstract call(inputs: Nested<Tensor>, ctx: CallContext): Nested<Tensor>;

  /**
   * The output shape for an input shape. The default runs `call` once on zeros (batch 1, and batch 2 when
   * a non-batch dimension is unknown, to find which output dimensions follow it), as Keras' default
   * `compute_output_spec` traces `call`; built-in layers compute it directly.
   */
  computeOutputShape(inputShape: ShapeStructure): ShapeStructure {
    const run = (fill: number) => noGrad(() => {
      const make = (s: SymbolicShape) => zeros(s.map((d) => d ?? fill));
      const inputs = isShape(inputShape) ? make(inputShape) : mapStructure(inputShape as never, isShape, make);
      return this.call(inputs as Nested<Tensor>, { training: false });
    });
    const first = run(1);
    const hasUnknown = flatten(inputShape as never, isShape).some((s) => s.slice(1).includes(null));
    const second = hasUnknown ? flatten(run(2), isTensor) : null;
    const batchUnknown = flatten(inputShape as never, isShape).some((s) => s[0] === null);
    return mapStructure(first, isTensor, (t, i) => t.shape.map((d, axis) => {
      if (axis === 0 && batchUnknown) return null;
      return second && second[i]!.shape[axis] !== d ? null : d;
    }) as SymbolicShape) as unknown as ShapeStructure;
  }

  /** The output mask: by default the input mask passed on when `supportsMasking`, else none. */
  computeMask(_inputs: Nested<Tensor>, mask: Nested<Tensor | null> | null): Nested<Tensor | null> | null {
    return this.supportsMasking ? mask : null;
  }

  /**
   * Calls the layer. On real tensors: builds on first use, then computes. On symbolic tensors (from
   * `Input(...)` or other layers' symbolic outputs): builds from their shapes, records a node and returns
   * symbolic outputs, which is how functional models are written.
   */
  apply(inputs: Tensor, options?: ApplyOptions | CallContext): Tensor;
  // Layers return one tensor (a merge layer too); a layer or model with several outputs overrides this type.
  apply(inputs: SymbolicTensor | readonly SymbolicTensor[] | { readonly [key: string]: SymbolicTensor }, options?: ApplyOptions): SymbolicTensor;
  apply(inputs: Nested<SymbolicTensor>, options?: ApplyOptions): Nested<SymbolicTensor>;
  apply(inputs: Nested<Tensor>, options?: ApplyOptions | CallContext): Nested<Tensor>;
  apply(inputs: Nested<Tensor> | Nested<SymbolicTensor>, options: ApplyOptions | CallContext = {}): Nested<Tensor> | Nested<SymbolicTensor> {
    if (inputs instanceof Tensor) {
      // The hot path: one tensor, as in every Sequential step.
      if (!this.built) this.ensureBuilt([null, ...inputs.shape.slice(1)]);
      const inMask = options.mask === undefined ? getMask(inputs) : options.mask;
      const ctx: CallContext = inMask ? { training: options.training ?? false, mask: inMask } : { training: options.training ?? false };
      const out = this.call(inputs, ctx);
      if (inMask || this.producesMask) this.attachMasks(inputs, out, inMask ?? null);
      return out;
    }
    const symbolic = flatten(inputs as Nested<unknown>, (v): v is SymbolicTensor | Tensor => isSymbolic(v) || isTensor(v));
    if (symbolic.length === 0) throw new Error(`${this.label}: expected a tensor, a symbolic tensor or a structure of them as input, got ${JSON.stringify(inputs)?.slice(0, 100)}`);
    if (symbolic.every(isSymbolic)) return this.symbolicCall(inputs as Nested<SymbolicTensor>, options);
    if (symbolic.some(isSymbolic)) throw new Error(`${this.label}: cannot mix symbolic tensors (from Input) and real tensors in one call`);
    const real = inputs as Nested<Tensor>;
    if (!this.built) this.ensureBuilt(shapesOf(real));
    const masks = options.mask !== undefined ? options.mask : mapStructure(real, isTensor, (t) => getMask(t));
    const anyMask = masks !== null && flatten(masks as Nested<Tensor | null>, isTensor).length > 0;
    const ctx: CallContext = anyMask ? { training: options.training ?? false, mask: masks } : { training: options.training ?? false };
    const out = this.call(real, ctx);
    if (anyMask || this.producesMask) this.attachMasks(real, out, anyMask ? masks : null);
    return out;
  }

  /** True for layers that make a mask of their own (an Embedding with maskZero, Masking). */
  protected get producesMask(): boolean {
    return false;
  }

  private attachMasks(inputs: Nested<Tensor>, outputs: Nested<Tensor>, masks: Nested<Tensor | null> | null): void {
    const outMask = this.computeMask(inputs, masks);
    const outs = flatten(outputs, isTensor);
    if (outMask === null || outMask === undefined) {
      for (const o of outs) setMask(o, null);
      return;
    }
    const ms = outMask instanceof Tensor ? outs.map(() => outMask) : flatten(outMask as Nested<Tensor>, isTensor);
    outs.forEach((o, i) => setMask(o, ms[i] ?? null));
  }

  private symbolicCall(inputs: Nested<SymbolicTensor>, options: ApplyOptions): Nested<SymbolicTensor> {
    const flat = flatten(inputs, isSymbolic);
    const shapes: ShapeStructure = inputs instanceof SymbolicTensor ? inputs.shape : mapStructure(inputs, isSymbolic, (t) => t.shape) as unknown as ShapeStructure;
    let outShapes: ShapeStructure;
    try {
      this.ensureBuilt(shapes);
      outShapes = this.computeOutputShape(shapes);
    } catch (e) {
      const described = flat.map((t) => `'${t.name}' of shape ${formatSymbolicShape(t.shape)}`).join(', ');
      throw new Error(`${this.label} cannot be called on ${described}: ${(e as Error).message}`);
    }
    const dtype = this.outputDtype(flat);
    const outputs = isShape(outShapes)
      ? new SymbolicTensor(outShapes, dtype, this.name)
      : mapStructure(outShapes as never, isShape, (s, i) => new SymbolicTensor(s, dtype, `${this.name}/${i}`)) as Nested<SymbolicTensor>;
    const kwargs: Record<string, unknown> = {};
    if (options.training !== undefined) kwargs.training = options.training;
    new Node(this, inputs, outputs, kwargs);
    return outputs;
  }

  /** The dtype of symbolic outputs (float32 for every computing layer). */
  protected outputDtype(_inputs: readonly SymbolicTensor[]): 'float32' | 'int32' {
    return 'float32';
  }

  ensureBuilt(inputShape: ShapeStructure): void {
    if (this.built) return;
    this.build(inputShape);
    this.built = true;
  }

  protected addWeight(name: string, shape: readonly number[], options: AddWeightOptions = {}): Variable {
    const initializer = getInitializer(options.initializer ?? 'glorot_uniform', `${this.className} '${this.name}'`);
    const trainable = options.trainable ?? true;
    // A model being loaded gets its weights from the file: no initializer runs, so no randomness is consumed.
    // A loader checks the weight against its file (shape, size limits) before anything is allocated.
    const scope = (this as { [WEIGHT_SCOPE]?: string })[WEIGHT_SCOPE] ?? this.name;
    checkNewWeight(`${scope}/${name}`, shape, this.label);
    const initial = randomInitSuspended() ? zeros(shape) : initializer.generate(shape);
    const variable = new Variable(initial, { name: `${scope}/${name}`, trainable: trainable && this.trainableFlag });
    const regularizer = options.regularizer ? getRegularizer(options.regularizer, `${this.className} '${this.name}'`) : null;
    this.entries.push({ variable, trainable, regularizer });
    return variable;
  }

  /**
   * A seed generator for this layer's random draws (Dropout masks, noise): seeded with `seed`, or from the
   * global seeded stream when null. Its state is saved with the model, so training resumes bit for bit.
   */
  protected addSeedGenerator(seed: number | null | undefined): SeedGenerator {
    const generator = new SeedGenerator(seed, this.name);
    this.ownSeedGenerators.push(generator);
    return generator;
  }

  /** The seed generators of this layer and its sublayers, in a fixed order (saved with the model). */
  get seedGenerators(): SeedGenerator[] {
    const out = [...this.ownSeedGenerators];
    for (const l of this.sublayers) for (const g of l.seedGenerators) if (!out.includes(g)) out.push(g);
    return out;
  }

  /**
   * Trainable weights first, then non-trainable ones, each in creation order, then each sublayer's weights
   * (Keras' `layer.weights`).
   */
  get weights(): Variable[] {
    const out = [...this.ownWeights(true), ...this.ownWeights(false)];
    for (const l of this.sublayers) for (const w of l.weights) out.push(w);
    return out;
  }
  get trainableWeights(): Variable[] {
    const out = this.ownWeights(true);
    for (const l of this.sublayers) for (const w of l.trainableWeights) out.push(w);
    return out;
  }
  get nonTrainableWeights(): Variable[] {
    const out = this.ownWeights(false);
    for (const l of this.sublayers) for (const w of l.nonTrainableWeights) out.push(w);
    return out;
  }

  private ownWeights(trainable: boolean): Variable[] {
    const out: Variable[] = [];
    for (const e of this.entries) if (e.variable.trainable === trainable) out.push(e.variable);
    return out;
  }

  /** Copies of the current weight values, in `weights` order. */
  getWeights(): Tensor[] {
    return this.weights.map((w) => new Tensor(w.values.slice(), w.shape, w.dtype));
  }

  setWeights(values: readonly Tensor[]): void {
    const ws = this.weights;
    if (values.length !== ws.length) {
      throw new Error(`${this.label}.setWeights: expected ${ws.length} arrays, got ${values.length}`);
    }
    ws.forEach((w, i) => {
      const v = values[i]!;
      if (v.shape.length !== w.shape.length || v.shape.some((d, j) => d !== w.shape[j])) {
        throw new Error(`${this.label}.setWeights: weight ${i} ('${w.name}') has shape ${formatShape(w.shape)}, got ${formatShape(v.shape)}`);
      }
      w.assign(v);
    });
  }

  /** Whether any weight of this layer or its sublayers has a regularizer. */
  get hasRegularizers(): boolean {
    return this.entries.some((e) => e.regularizer !== null) || this.sublayers.some((l) => l.hasRegularizers);
  }

  /** Regularization penalties of this layer's (and its sublayers') weights, to be added to the loss. */
  regularizationLosses(): Tensor[] {
    const out: Tensor[] = [];
    for (const e of this.entries) if (e.regularizer) out.push(e.regularizer.penalty(e.variable));
    for (const l of this.sublayers) for (const p of l.regularizationLosses()) out.push(p);
    return out;
  }

  countParams(): number {
    return this.weights.reduce((p, w) => p + w.size, 0);
  }

  // ---- the graph: inputs and outputs of the layer's calls on symbolic tensors ------------------------

  private nodeAttribute<K extends 'inputs' | 'outputs'>(key: K, what: string): Node[K] {
    if (this.inboundNodes.length === 0) {
      throw new Error(`${this.label}: has no ${what} yet: it has not been called on a symbolic tensor (call it on Input(...) or put it in a model with an input shape)`);
    }
    if (this.inboundNodes.length > 1) {
      throw new Error(`${this.label}: has been called ${this.inboundNodes.length} times, so it has several ${what}s; use getInputAt(i) / getOutputAt(i)`);
    }
    return this.inboundNodes[0]![key];
  }

  /** The symbolic input of the layer's (only) call: for feature extraction, `new Model({ inputs, outputs: layer.output })`. */
  get input(): Nested<SymbolicTensor> { return this.nodeAttribute('inputs', 'input'); }
  /** The symbolic output of the layer's (only) call. */
  get output(): Nested<SymbolicTensor> { return this.nodeAttribute('outputs', 'output'); }
  getInputAt(nodeIndex: number): Nested<SymbolicTensor> { return this.nodeAt(nodeIndex).inputs; }
  getOutputAt(nodeIndex: number): Nested<SymbolicTensor> { return this.nodeAt(nodeIndex).outputs; }

  private nodeAt(i: number): Node {
    const node = this.inboundNodes[i];
    if (!node) throw new Error(`${this.label}: has no call (node) ${i}; it has ${this.inboundNodes.length}`);
    return node;
  }

  // ---- serialization ---------------------------------------------------------------------------------

  /** Constructor options, camelCase, so `new Cls(...)` can be rebuilt from it (see `fromConfig`). */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, trainable: this.trainable };
    if (this.batchInputShape) config.batchInputShape = [...this.batchInputShape];
    return config;
  }

  /**
   * A new layer from `getConfig()` output: the class's `positionalArgs` become the leading constructor
   * arguments, the rest the options object (`Dense.fromConfig({ units: 4, activation: 'relu' })`).
   */
  static fromConfig<T extends Layer>(this: abstract new (...args: never[]) => T, config: Record<string, unknown>): T {
    const cls = this as unknown as (new (...args: unknown[]) => T) & { positionalArgs: readonly string[]; className: string };
    if (config === null || typeof config !== 'object' || Array.isArray(config)) {
      throw new Error(`${cls.className}.fromConfig: expected a config object, got ${JSON.stringify(config)}`);
    }
    const options: Record<string, unknown> = { ...config };
    const positional = cls.positionalArgs.map((key) => {
      if (!(key in options)) throw new Error(`${cls.className}.fromConfig: the config has no '${key}'`);
      const value = options[key];
      delete options[key];
      return value;
    });
    return new cls(...positional, options);
  }

  /** A compact error prefix: `Dense 'dense_1'`. */
  get label(): string {
    return `${this.className} '${this.name}'`;
  }

  toString(): string {
    return `<${this.className} name=${this.name}, built=${this.built}>`;
  }
}

/** Validates a positive integer option, naming the layer and option. */
export function positiveInt(owner: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${owner}: ${option} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

export { formatShapeStructure };

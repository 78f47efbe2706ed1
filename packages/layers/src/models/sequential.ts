/**
 * Sequential (Keras 3's keras/src/models/sequential.py): the chain case of the functional engine. Once the
 * input shape is known (an `Input(...)` first, `inputShape` on the first layer, `build`, or the first batch)
 * the layers are called on a symbolic input, so the model has `inputs`/`outputs`, each layer its `output`, and
 * it nests in functional models like any layer. Its forward pass runs the layers in a plain loop.
 */
import { formatShape } from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';
import { Layer, clearSession, formatSymbolicShape, uniqueLayerName } from '../engine/layer';
import type { CallContext, ShapeStructure, SymbolicShape } from '../engine/layer';
import { SymbolicTensor } from '../engine/symbolic-tensor';
import type { Nested } from '../engine/structure';
import { isShape } from '../engine/shape';
import { InputLayer } from '../layers/core';
import { Model } from './model';
import { FunctionalGraph } from './functional-graph';
import type { CompileArgs, CompiledLogKey, FlatCompileArgs, LogKey, MetricIdentifier } from '../training/compile';
import type { ModelData } from '../training/data';
import type { PredictArgs } from './model';
import { deserializeLayer, serializeLayer } from '../saving/keras-config';
import type { KerasObjectJson } from '../saving/keras-config';

/** Options of `new Sequential(...)` (Keras 3 `keras.Sequential(layers, name, trainable)`). */
export interface SequentialArgs {
  /** Model name. Default `sequential`, made unique. */
  name?: string;
  /** The layers, in order; an `Input(...)` (or an InputLayer) may come first to declare the input shape. */
  layers?: (Layer | SymbolicTensor)[];
  /** Whether training updates the model's weights. Default true. */
  trainable?: boolean;
}

export type { EvaluateArgs, PredictArgs } from './model';

/**
 * `K` is the set of log keys this model reports (see `compile`), which types `fit`'s callbacks and the
 * returned History. A model you have not compiled through the typed handle accepts any key.
 */
export class Sequential<K extends string = string> extends Model<K> {
  static override readonly className: string = 'Sequential';
  private readonly stack: Layer[] = [];
  private inputLayer: InputLayer | null = null;
  /** Whether the InputLayer came from the user (then it is saved, as Keras 3 does) or was made by `build`. */
  private userInput = false;
  private builtShape: SymbolicShape | null = null;

  constructor(layersOrArgs: (Layer | SymbolicTensor)[] | SequentialArgs = {}) {
    const args: SequentialArgs = Array.isArray(layersOrArgs) ? { layers: layersOrArgs } : layersOrArgs;
    super({ name: args.name ?? uniqueLayerName('sequential'), ...(args.trainable === undefined ? {} : { trainable: args.trainable }) });
    for (const layer of args.layers ?? []) this.add(layer);
  }

  /** The layers, without the InputLayer (Keras 3). */
  override get layers(): Layer[] {
    return this.stack;
  }

  override get sublayers(): Layer[] {
    return this.stack;
  }

  /** Appends a layer (or, first, an `Input(...)`); the model is rebuilt when its input shape is known. */
  add(layer: Layer | SymbolicTensor): void {
    if (layer instanceof SymbolicTensor) {
      if (!(layer.node.layer instanceof InputLayer)) throw new Error(`${this.label}.add: a symbolic tensor can be added only when it comes from Input(...); '${layer.name}' is an output of ${layer.node.layer.className} '${layer.node.layer.name}'`);
      layer = layer.node.layer;
    }
    if (!(layer instanceof Layer)) throw new Error(`${this.label}.add: expected a Layer, got ${typeof layer === 'object' ? (layer as object)?.constructor?.name : typeof layer}`);
    if (layer instanceof InputLayer) {
      if (this.stack.length > 0 || this.inputLayer) throw new Error(`${this.label}.add: an InputLayer can only be the first layer`);
      this.inputLayer = layer;
      this.userInput = true;
      this.build(layer.batchInputShape!);
      return;
    }
    if (this.stack.some((l) => l.name === layer.name) || this.inputLayer?.name === layer.name) {
      throw new Error(`${this.label}.add: a layer named '${layer.name}' is already in the model; layer names must be unique`);
    }
    this.stack.push(layer);
    try {
      const declared = this.declaredInputShape;
      if (this.builtShape) this.build(this.builtShape);
      else if (declared) this.build(declared);
    } catch (e) {
      this.stack.pop();
      throw e;
    }
  }

  /** Removes the last layer. */
  pop(): Layer {
    const layer = this.stack.pop();
    if (!layer) throw new Error(`${this.label}.pop: the model has no layers`);
    if (this.builtShape) this.build(this.builtShape);
    return layer;
  }

  /** The input shape declared by an `Input(...)` or the first layer's `inputShape`, with batch axis. */
  get declaredInputShape(): SymbolicShape | null {
    return this.inputLayer?.batchInputShape ?? this.stack[0]?.batchInputShape ?? null;
  }

  get inputShape(): SymbolicShape | null {
    return this.builtShape;
  }

  get outputShape(): SymbolicShape | null {
    if (!this.builtShape) return null;
    return this.graph ? this.graph.flatOutputs[0]!.shape : this.builtShape;
  }

  override get inputNames(): string[] {
    return [this.inputLayer?.name ?? 'input'];
  }

  override get outputNames(): string[] {
    return [this.stack[this.stack.length - 1]?.name ?? 'output'];
  }

  /** Builds every layer for `inputShape` (with batch axis, e.g. `[null, 784]`) by calling them on a symbolic input. */
  override build(inputShape: ShapeStructure): void {
    if (!isShape(inputShape)) throw new Error(`${this.label}.build: a Sequential model takes one input; expected a shape such as [null, 784], got ${JSON.stringify(inputShape)}`);
    const shape = [...inputShape];
    if (!this.inputLayer || !sameShape(this.inputLayer.batchInputShape!, shape)) {
      if (this.userInput && this.inputLayer) {
        throw new Error(`${this.label}.build: the model's Input has shape ${formatSymbolicShape(this.inputLayer.batchInputShape!)}, cannot build it for ${formatSymbolicShape(shape)}`);
      }
      this.inputLayer = new InputLayer({ batchInputShape: shape, name: uniqueLayerName('input_layer') });
    }
    this.graph?.detach();
    this.graph = null;
    let y: SymbolicTensor = this.inputLayer.output as SymbolicTensor;
    const input = y;
    for (const layer of this.stack) {
      const out = layer.apply(y);
      if (!(out instanceof SymbolicTensor)) throw new Error(`${layer.label}: a layer in a Sequential model must return one tensor`);
      y = out;
    }
    if (this.stack.length > 0) this.graph = new FunctionalGraph(input, y, this.label);
    this.builtShape = shape;
    this.built = true;
  }

  private checkInput(x: Tensor): void {
    const expected = this.builtShape;
    if (!expected) {
      this.build([null, ...x.shape.slice(1)]);
      return;
    }
    let ok = expected.length === x.rank;
    // A plain loop: this runs on every batch, and a tiny model's whole step is a few microseconds.
    for (let i = 0; ok && i < expected.length; i++) ok = expected[i] === null || expected[i] === x.shape[i];
    if (!ok) {
      throw new Error(`${this.label}: expected input of shape ${formatSymbolicShape(expected)}, got ${formatShape(x.shape)}${this.stack[0] ? ` (first layer: ${this.stack[0].className} '${this.stack[0].name}')` : ''}`);
    }
  }

  /** The forward pass: the layers in order. */
  override call(inputs: Nested<Tensor>, ctx: CallContext = { training: false }): Tensor {
    if (Array.isArray(inputs) && inputs.length === 1) inputs = inputs[0]!;
    if (!isTensorValue(inputs)) throw new Error(`${this.label}: a Sequential model takes one input tensor`);
    this.checkInput(inputs);
    let y: Tensor = inputs;
    // Each layer reads the mask riding with its input; an explicit mask (`apply(x, { mask })`) is the first's.
    const inner = { training: ctx.training };
    this.stack.forEach((layer, i) => {
      y = layer.apply(y, i === 0 && ctx.mask !== undefined ? { training: ctx.training, mask: ctx.mask } : inner);
    });
    return y;
  }

  override computeOutputShape(inputShape: ShapeStructure): ShapeStructure {
    if (!isShape(inputShape)) throw new Error(`a Sequential model takes one input, got shapes ${JSON.stringify(inputShape)}`);
    let shape: ShapeStructure = inputShape;
    for (const layer of this.stack) shape = layer.computeOutputShape(shape);
    return shape;
  }

  /** @internal */
  override ensureBuiltFor(xs: readonly Tensor[]): void {
    if (!this.built) this.build([null, ...xs[0]!.shape.slice(1)]);
  }

  /** @internal The compiled Dense step runs exactly this class (a subclass may change `call`). */
  override compiledStepLayers(): readonly Layer[] | null {
    return this.constructor === Sequential ? this.stack : null;
  }

  protected override isSequentialLike(): boolean {
    return true;
  }

  override compile<const M extends MetricIdentifier = never>(args: FlatCompileArgs<M>): Sequential<LogKey<M>>;
  override compile<const M extends MetricIdentifier = never, const O extends string = never>(args: CompileArgs<M, O>): Sequential<CompiledLogKey<M, O>>;
  override compile<const M extends MetricIdentifier = never, const O extends string = never>(args: CompileArgs<M, O>): Sequential<CompiledLogKey<M, O>> {
    super.compile(args);
    return this as unknown as Sequential<CompiledLogKey<M, O>>;
  }

  /** Outputs for `x`, computed in batches of `batchSize` without gradient tracking. */
  override predict(x: ModelData, args: PredictArgs = {}): Tensor {
    return super.predict(x, args) as Tensor;
  }

  override predictOnBatch(x: ModelData): Tensor {
    return super.predictOnBatch(x) as Tensor;
  }

  /**
   * Keras' Sequential config: the layers as Keras JSON (an InputLayer first when the model was given one, as
   * Keras 3 writes; otherwise the first layer carries `batch_input_shape`, as tfjs and Keras 2 write), and the
   * built input shape.
   */
  override getConfig(): Record<string, unknown> {
    const layers: KerasObjectJson[] = this.stack.map(serializeLayer);
    if (this.userInput && this.inputLayer) layers.unshift(serializeLayer(this.inputLayer));
    else if (layers[0] && !this.stack[0]!.batchInputShape && this.builtShape) layers[0].config.batch_input_shape = [...this.builtShape];
    const config: Record<string, unknown> = { name: this.name, trainable: this.trainable, layers };
    if (this.builtShape) config.buildInputShape = [...this.builtShape];
    return config;
  }

  /** A new (untrained) Sequential from `getConfig()` output or a Keras/tfjs Sequential config. */
  static override fromConfig<T>(this: unknown, config: Record<string, unknown>): T {
    if (config === null || typeof config !== 'object' || !Array.isArray(config.layers)) {
      throw new Error(`Sequential.fromConfig: the config has no layers list, got ${JSON.stringify(config)?.slice(0, 200)}`);
    }
    const layerJsons = config.layers as unknown[];
    const layers = layerJsons.map((l, i) => deserializeLayer(l, `layer ${i}`));
    const model = new Sequential(typeof config.name === 'string' ? { name: config.name } : {});
    for (const layer of layers) model.add(layer);
    if (!model.built) {
      const firstBuild = (layerJsons[0] as { build_config?: { input_shape?: unknown } } | undefined)?.build_config?.input_shape;
      const shape = (Array.isArray(config.buildInputShape) ? config.buildInputShape : firstBuild) as SymbolicShape | undefined;
      if (shape) model.build(shape);
    }
    if (config.trainable === false) model.trainable = false;
    return model as unknown as T;
  }
}

function isTensorValue(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'values' in v && 'shape' in v && !(v instanceof SymbolicTensor);
}

function sameShape(a: SymbolicShape, b: SymbolicShape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export { clearSession };

/**
 * `Model` (Keras 3's keras/src/models/model.py with its Trainer): a Layer that owns compile/fit/evaluate/
 * predict/save. Three ways to make one, as in Keras:
 * - functional: `new Model({ inputs, outputs })` over symbolic tensors from `Input(...)` (a `Functional`);
 * - subclassing: `class MyModel extends Model { call(inputs, ctx) {...} }`, built on its first call;
 * - `Sequential`, the chain case.
 * Training logic lives in ../training (compile resolution, the train/test step, the fit loop).
 */
import { Tensor, concat, noGrad } from '@minikeras/tensor';
import type { TensorLike, Variable } from '@minikeras/tensor';
import { Layer } from '../engine/layer';
import type { CallContext, LayerArgs, ShapeStructure } from '../engine/layer';
import { SymbolicTensor } from '../engine/symbolic-tensor';
import { flatten, packAs } from '../engine/structure';
import type { Nested } from '../engine/structure';
import { FunctionalGraph } from './functional-graph';
import { formatSummary, summaryRows } from './summary';
import { resolveCompileArgs } from '../training/compile';
import type { CompileArgs, CompiledLogKey, FlatCompileArgs, LogKey, CompiledState, MetricIdentifier } from '../training/compile';
import { collectLogs, resetMetrics, testStep, trainStep } from '../training/train-step';
import { assertFinite, sliceRows, toTensorList } from '../training/data';
import type { BatchSource, ModelData, NumericData } from '../training/data';
import { modelArrays, runFit } from '../training/fit';
import type { FitArgs, ResumePoint } from '../training/fit';
import type { History } from '../callbacks/callback';
import type { Optimizer } from '@minikeras/optimizers';
import { modelToJSON, restoreTrainingState, toArtifacts } from '../saving/artifacts';
import type { ModelArtifacts, SaveOptions } from '../saving/artifacts';
import { saveModel } from '../saving/save-model';
import type { IOHandler } from '../saving/save-model';
import type { SaveResult } from '../saving/model-json';
import type { KerasModelJson } from '../saving/keras-config';
import { functionalConfig, functionalFromConfig } from '../saving/functional-config';
import type { FunctionalConfig } from '../saving/functional-config';
import type { KerasFileSource, KerasSaveResult } from '../saving/keras-io';

const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;

/** Options of `new Model(...)` (Keras 3 `keras.Model(inputs, outputs, name)`). */
export interface ModelArgs {
  /** The symbolic inputs (from `Input(...)`): one, a list, or a record by name. */
  inputs?: Nested<SymbolicTensor>;
  /** The symbolic outputs computed from the inputs: one, a list, or a record by name. */
  outputs?: Nested<SymbolicTensor>;
  /** Model name. Default: the snake_case class name, made unique (`functional`, `functional_1`, ...). */
  name?: string;
  /** Whether training updates the model's weights. Default true. */
  trainable?: boolean;
}

/** Options of `model.evaluate` (Keras 3 `keras.Model.evaluate`'s options). */
export interface EvaluateArgs {
  /** Samples per batch. Default 32. */
  batchSize?: number;
  /** Weight of each sample in the loss and the metrics. */
  sampleWeight?: NumericData;
  /** Accepted for Keras compatibility; `evaluate` prints nothing. */
  verbose?: 0 | 1;
}

/** Options of `model.predict` (Keras 3 `keras.Model.predict`'s options). */
export interface PredictArgs {
  /** Samples per batch. Default 32. */
  batchSize?: number;
}

// A name a graph model is constructed under until it is replaced by its Functional (never seen by users).
const REDIRECT_NAME = 'functional_redirect';

/**
 * `K` is the set of log keys this model reports (see `compile`), which types `fit`'s callbacks and the
 * returned History. A model you have not compiled through the typed handle accepts any key.
 */
export class Model<K extends string = string> extends Layer {
  static override readonly className: string = 'Model';
  /** Callbacks set this to end `fit` after the current batch. */
  stopTraining = false;
  /** @internal Set by BackupAndRestore in `onTrainBegin`: where `fit` continues an interrupted run. */
  resumeFrom: ResumePoint | null = null;
  /** The graph of a functional model (null for a subclassed model). */
  protected graph: FunctionalGraph | null = null;
  private compiled: CompiledState | null = null;

  constructor(args: ModelArgs = {}) {
    const isGraph = args !== null && typeof args === 'object' && (args.inputs !== undefined || args.outputs !== undefined);
    const redirect = isGraph && new.target === Model;
    const layerArgs: LayerArgs = {};
    if (args?.name !== undefined) layerArgs.name = args.name;
    if (args?.trainable !== undefined) layerArgs.trainable = args.trainable;
    super(redirect ? { name: REDIRECT_NAME } : layerArgs);
    // Keras: `Model(inputs, outputs)` makes a Functional.
    if (redirect) return new (getFunctional())(args) as unknown as Model<K>;
    if (isGraph) this.initGraph(args);
  }

  /**
   * `Model.fromConfig` of a functional config builds a Functional (Keras 2 and tfjs name it 'Model'); a
   * subclass rebuilds itself from its own `getConfig()` output, as Layer.fromConfig does.
   */
  static override fromConfig<T>(this: unknown, config: Record<string, unknown>): T {
    if (this === Model) return (getFunctional() as unknown as { fromConfig(c: Record<string, unknown>): T }).fromConfig(config);
    return (Layer.fromConfig as (this: unknown, c: Record<string, unknown>) => T).call(this, config);
  }

  /** Sets up the graph of a functional model (Functional, or a subclass constructed with inputs/outputs). */
  protected initGraph(args: ModelArgs): void {
    if (args.inputs === undefined || args.outputs === undefined) throw new Error(`${this.label}: a functional model needs both inputs and outputs`);
    this.graph = new FunctionalGraph(args.inputs, args.outputs, this.label);
    this.built = true;
  }

  /** The layers of the model: a functional model's in graph order (InputLayers first), a subclassed model's sublayers. */
  get layers(): Layer[] {
    return this.graph ? [...this.graph.layers] : this.sublayers;
  }

  override get sublayers(): Layer[] {
    return this.graph ? [...this.graph.layers] : super.sublayers;
  }

  /** The layer named `name`, or at position `index` of `layers`. */
  getLayer(nameOrIndex: string | number): Layer {
    const layers = this.layers;
    if (typeof nameOrIndex === 'number') {
      const layer = layers[nameOrIndex];
      if (!Number.isInteger(nameOrIndex) || !layer) throw new Error(`${this.label}.getLayer: index ${nameOrIndex} is out of range; the model has ${layers.length} layers`);
      return layer;
    }
    const layer = layers.find((l) => l.name === nameOrIndex);
    if (!layer) throw new Error(`${this.label}.getLayer: no layer named '${nameOrIndex}'; the layers are ${layers.map((l) => l.name).join(', ')}`);
    return layer;
  }

  /** The symbolic inputs of a functional model, flat. */
  get inputs(): SymbolicTensor[] {
    if (!this.graph) throw new Error(`${this.label}: has no symbolic inputs (a subclassed model is defined by its call method)`);
    return [...this.graph.flatInputs];
  }

  /** The symbolic outputs of a functional model, flat. */
  get outputs(): SymbolicTensor[] {
    if (!this.graph) throw new Error(`${this.label}: has no symbolic outputs (a subclassed model is defined by its call method)`);
    return [...this.graph.flatOutputs];
  }

  /** Names of the inputs, which `fit`/`predict` data records are keyed by. */
  get inputNames(): string[] {
    return this.graph ? [...this.graph.inputNames] : ['input'];
  }

  /** Names of the outputs, which loss, metric and target records are keyed by. */
  get outputNames(): string[] {
    return this.graph ? [...this.graph.outputNames] : ['output'];
  }

  override get weights(): Variable[] { return unique(super.weights); }
  override get trainableWeights(): Variable[] { return unique(super.trainableWeights); }
  override get nonTrainableWeights(): Variable[] { return unique(super.nonTrainableWeights); }

  /** A model's outputs carry the masks its layers set (Keras: a Functional's output masks come from its graph). */
  protected override get setsOutputMasks(): boolean {
    return false;
  }

  /** The forward pass: a functional model runs its graph; a subclass overrides this. */
  call(inputs: Nested<Tensor>, ctx: CallContext): Nested<Tensor> {
    if (!this.graph) {
      throw new Error(`${this.label}: a subclassed Model must implement call(inputs, ctx), or construct it with { inputs, outputs }`);
    }
    return this.graph.run(this.graph.flattenInputs(inputs, this.label), ctx);
  }

  override build(inputShape: ShapeStructure): void {
    if (!this.graph) {
      // A subclassed model builds by running once on zeros of this shape (Keras builds on the first call).
      this.computeOutputShape(inputShape);
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: ShapeStructure): ShapeStructure {
    return this.graph ? this.graph.computeOutputShape(inputShape) : super.computeOutputShape(inputShape);
  }

  /** @internal The flat input list as `call` takes it. */
  packInputs(xs: readonly Tensor[]): Nested<Tensor> {
    return xs.length === 1 ? xs[0]! : [...xs];
  }

  /** @internal Builds an unbuilt (subclassed) model by calling it once on a batch. */
  ensureBuiltFor(xs: readonly Tensor[]): void {
    if (this.built) return;
    noGrad(() => this.call(this.packInputs(xs), { training: false }));
    this.built = true;
  }

  /** @internal Layers the compiled Dense step may run (only exact Sequential models qualify). */
  compiledStepLayers(): readonly Layer[] | null {
    return null;
  }

  /**
   * Calls the model (Keras' `model(x)`, tfjs' `model.apply`): on real tensors it computes without building a
   * gradient graph, unless `training` is set; symbolic inputs record a node. (A model nested in another runs
   * through the outer graph, which records gradients as any layer's.)
   */
  override apply(inputs: Tensor, options?: { training?: boolean } | CallContext): Tensor;
  override apply(inputs: SymbolicTensor, options?: { training?: boolean }): SymbolicTensor;
  override apply(inputs: Nested<SymbolicTensor>, options?: { training?: boolean }): Nested<SymbolicTensor>;
  override apply(inputs: Nested<Tensor> | TensorLike, options?: { training?: boolean } | CallContext): Nested<Tensor>;
  override apply(inputs: Nested<Tensor> | Nested<SymbolicTensor> | TensorLike, options: { training?: boolean } | CallContext = {}): Nested<Tensor> | Nested<SymbolicTensor> {
    const structured = inputs instanceof Tensor || inputs instanceof SymbolicTensor || (typeof inputs === 'object' && inputs !== null && !ArrayBuffer.isView(inputs) && flatten(inputs as Nested<unknown>, (v): v is unknown => v instanceof Tensor || v instanceof SymbolicTensor || typeof v === 'number').some((v) => v instanceof Tensor || v instanceof SymbolicTensor));
    const value = structured ? inputs as Nested<Tensor> : this.packInputs(toTensorList(inputs, this.inputNames, `${this.label}.apply`, 'input'));
    if (options.training) return super.apply(value, options);
    return noGrad(() => super.apply(value, options));
  }

  // ---- summary ---------------------------------------------------------------------------------------

  /** Prints (or passes to `printFn`) Keras' summary table; graphs get Keras' "Connected to" column. */
  summary(lineLength?: number, printFn: (line: string) => void = console.log): void {
    const trainable = this.trainableWeights.reduce((p, w) => p + w.size, 0);
    const nonTrainable = this.nonTrainableWeights.reduce((p, w) => p + w.size, 0);
    const rows = summaryRows(this.layers, this.graph);
    const optimizer = this.compiled?.optimizer.getState().reduce((p, e) => p + e.value.size, 0);
    printFn(formatSummary(this.name, rows, { trainable, nonTrainable, ...(optimizer ? { optimizer } : {}) }, lineLength, this.isSequentialLike()));
  }

  /** Whether the summary can leave out "Connected to" (Keras' `sequential_like`). */
  protected isSequentialLike(): boolean {
    if (!this.graph) return true;
    if (this.graph.flatInputs.length !== 1 || this.graph.flatOutputs.length !== 1) return false;
    const counts = new Map<Layer, number>();
    for (const node of this.graph.nodes) {
      if (node.inputTensors.length > 1) return false;
      counts.set(node.layer as Layer, (counts.get(node.layer as Layer) ?? 0) + 1);
    }
    return [...counts.values()].every((c) => c === 1);
  }

  // ---- training -------------------------------------------------------------------------------------

  /**
   * Configures training. Returns this model typed with its log keys, so that
   * `const m = model.compile({ ..., metrics: ['accuracy'] })` gives `m.fit` callbacks and History typed
   * with 'loss' | 'accuracy' | 'val_loss' | 'val_accuracy'; metrics or losses by output name add
   * '<output>_loss' and '<output>_<metric>'.
   */
  compile<const M extends MetricIdentifier = never>(args: FlatCompileArgs<M>): Model<LogKey<M>>;
  compile<const M extends MetricIdentifier = never, const O extends string = never>(args: CompileArgs<M, O>): Model<CompiledLogKey<M, O>>;
  compile<const M extends MetricIdentifier = never, const O extends string = never>(args: CompileArgs<M, O>): Model<CompiledLogKey<M, O>> {
    this.compiled = resolveCompileArgs(args as CompileArgs, this.label, this.outputNames);
    return this as unknown as Model<CompiledLogKey<M, O>>;
  }

  get isCompiled(): boolean { return this.compiled !== null; }

  /** @internal */
  requireCompiled(what: string): CompiledState {
    if (!this.compiled) throw new Error(`${this.label}: you must call compile() before ${what}(), e.g. model.compile({ optimizer: 'adam', loss: 'mse' })`);
    return this.compiled;
  }

  get optimizer(): Optimizer {
    return this.requireCompiled('using the optimizer of').optimizer;
  }

  /** Names of the values `evaluate` and `trainOnBatch` return, in order ('loss' first). */
  get metricsNames(): string[] {
    if (!this.compiled) return [];
    const c = this.compiled;
    return ['loss', ...c.outputs.filter((o) => o.lossTracker && o.loss).map((o) => o.lossTracker!.name), ...c.metrics.map((m) => m.name)];
  }

  fit(x: ModelData, y: ModelData, args?: FitArgs<K>): Promise<History<K>>;
  fit(dataset: BatchSource, args?: FitArgs<K>): Promise<History<K>>;
  async fit(xOrData: ModelData | BatchSource, yOrArgs?: ModelData | FitArgs<K>, maybeArgs?: FitArgs<K>): Promise<History<K>> {
    return (await runFit(this, this.requireCompiled('fit'), xOrData, yOrArgs, maybeArgs)) as History<K>;
  }

  /** Loss (and metrics) on the given data, batched. Returns a number when there are no metrics, else a list. */
  evaluate(x: ModelData, y: ModelData, args: EvaluateArgs = {}): number | number[] {
    this.requireCompiled('evaluate');
    checkKeys(`${this.label}.evaluate`, args, ['batchSize', 'sampleWeight', 'verbose']);
    const data = modelArrays(this, `${this.label}.evaluate`, x, y, args.sampleWeight);
    const logs = this.evaluateToLogs(data.xs, data.ys, { batchSize: args.batchSize, sampleWeight: data.sampleWeight });
    const values = this.metricsNames.map((n) => logs[n]!);
    return values.length === 1 ? values[0]! : values;
  }

  /** @internal evaluate, returning logs keyed by metric name. */
  evaluateToLogs(xs: Tensor[], ys: Tensor[], args: { batchSize?: number | undefined; sampleWeight?: Tensor | undefined } = {}, prefix = ''): Record<string, number> {
    const compiled = this.requireCompiled('evaluate');
    const n = xs[0]!.shape[0]!;
    const batchSize = positiveBatchSize(args.batchSize ?? 32, `${this.label}.${prefix ? 'fit' : 'evaluate'}`, prefix ? 'validationBatchSize' : 'batchSize');
    this.ensureBuiltFor(xs);
    resetMetrics(compiled);
    const sw = args.sampleWeight;
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      testStep(this, compiled, { x: this.packInputs(xs.map((t) => sliceRows(t, start, end))), ys: ys.map((t) => sliceRows(t, start, end)), sampleWeight: sw && sliceRows(sw, start, end) });
    }
    return collectLogs(compiled, prefix);
  }

  /**
   * Outputs for `x`, computed in batches of `batchSize` without gradient tracking: a tensor for a model with
   * one output, else the outputs in the structure the model returns them.
   */
  predict(x: ModelData, args: PredictArgs = {}): Nested<Tensor> {
    checkKeys(`${this.label}.predict`, args, ['batchSize']);
    const xs = this.inputList(x, `${this.label}.predict: x`);
    const batchSize = positiveBatchSize(args.batchSize ?? 32, `${this.label}.predict`);
    const n = xs[0]!.shape[0] ?? 0;
    return noGrad(() => {
      this.ensureBuiltFor(xs);
      if (n <= batchSize) return this.call(this.packInputs(xs), { training: false });
      const parts: Nested<Tensor>[] = [];
      for (let start = 0; start < n; start += batchSize) {
        parts.push(this.call(this.packInputs(xs.map((t) => sliceRows(t, start, Math.min(n, start + batchSize)))), { training: false }));
      }
      const flat = parts.map((p) => flatten(p, isTensor));
      const joined = flat[0]!.map((_, i) => concat(flat.map((f) => f[i]!), 0));
      return parts[0] instanceof Tensor ? joined[0]! : packAs(parts[0]!, isTensor, joined);
    });
  }

  predictOnBatch(x: ModelData): Nested<Tensor> {
    const xs = this.inputList(x, `${this.label}.predictOnBatch: x`);
    return noGrad(() => {
      this.ensureBuiltFor(xs);
      return this.call(this.packInputs(xs), { training: false });
    });
  }

  private inputList(x: ModelData, what: string): Tensor[] {
    const xs = toTensorList(x, this.inputNames, what, 'input');
    xs.forEach((t, i) => assertFinite(t, `${what}${xs.length > 1 ? ` '${this.inputNames[i]}'` : ''}`));
    const n = xs[0]!.shape[0];
    xs.forEach((t, i) => {
      if (t.rank === 0 || t.shape[0] !== n) throw new Error(`${what}: every input must have the same number of samples (first dimension); input '${this.inputNames[i]}' has shape [${t.shape.join(', ')}]`);
    });
    return xs;
  }

  /** One gradient step on one batch; returns the loss (and metrics of that batch). */
  trainOnBatch(x: ModelData, y: ModelData, args: { sampleWeight?: NumericData } = {}): number | number[] {
    const compiled = this.requireCompiled('trainOnBatch');
    const data = modelArrays(this, `${this.label}.trainOnBatch`, x, y, args.sampleWeight);
    this.ensureBuiltFor(data.xs);
    resetMetrics(compiled);
    trainStep(this, compiled, { x: this.packInputs(data.xs), ys: data.ys, sampleWeight: data.sampleWeight });
    return this.batchResult();
  }

  testOnBatch(x: ModelData, y: ModelData, args: { sampleWeight?: NumericData } = {}): number | number[] {
    const compiled = this.requireCompiled('testOnBatch');
    const data = modelArrays(this, `${this.label}.testOnBatch`, x, y, args.sampleWeight);
    this.ensureBuiltFor(data.xs);
    resetMetrics(compiled);
    testStep(this, compiled, { x: this.packInputs(data.xs), ys: data.ys, sampleWeight: data.sampleWeight });
    return this.batchResult();
  }

  private batchResult(): number | number[] {
    const logs = collectLogs(this.compiled!);
    const values = this.metricsNames.map((n) => logs[n]!);
    return values.length === 1 ? values[0]! : values;
  }

  // ---- saving ----------------------------------------------------------------------------------------

  /**
   * Saves in TensorFlow.js' Layers format (model.json + weight shards): a directory path or `file://` URL in
   * Node, `indexeddb://name` or `downloads://name` in a browser, or a tfjs-style IOHandler. With
   * `includeOptimizer` (default true) the optimizer's config and state are saved too, so `loadModel`
   * returns a compiled model that resumes training exactly. Writes are atomic.
   */
  save(url: string | IOHandler, options: SaveOptions = {}): Promise<SaveResult> {
    return saveModel(this, url, options);
  }

  /** Saves the weights (and the optimizer state, when compiled) as Keras 3's `.weights.h5`; see saving/keras-io. */
  async saveWeights(path: string, options: SaveOptions = {}): Promise<KerasSaveResult> {
    // Keras' file code (and h5wasm) is loaded on first use.
    return (await import('../saving/keras-io')).saveWeightsFile(this, path, options);
  }

  /** Loads a `.weights.h5` (or a legacy `.h5`'s weights) from a path, URL or bytes; see saving/keras-io. */
  async loadWeights(source: KerasFileSource): Promise<void> {
    return (await import('../saving/keras-io')).loadWeightsFile(this, source);
  }

  /** The Keras model config (snake_case, as Keras' `model.to_json()`); `JSON.stringify(model)` uses it. */
  toJSON(): KerasModelJson {
    return modelToJSON(this);
  }

  /** The in-memory save artifacts (tfjs' ModelArtifacts shape). */
  toArtifacts(options: SaveOptions = {}): ModelArtifacts {
    return toArtifacts(this, options);
  }

  /**
   * @internal Puts this model's own saved state back from artifacts of the same model: weights, seed
   * generators and (when compiled) the optimizer state. Used by BackupAndRestore; the topology is not read.
   */
  restoreTrainingState(artifacts: ModelArtifacts, file: string): void {
    restoreTrainingState(this, artifacts, file);
  }
}

function checkKeys(owner: string, args: object, valid: readonly string[]): void {
  if (args === null || typeof args !== 'object') throw new Error(`${owner}: options must be an object, got ${JSON.stringify(args)}`);
  for (const key of Object.keys(args)) {
    if (!valid.includes(key)) throw new Error(`${owner}: unknown option '${key}'; valid options are ${valid.join(', ')}`);
  }
}

function unique(vars: Variable[]): Variable[] {
  if (vars.length < 2) return vars;
  const seen = new Set<Variable>();
  const out: Variable[] = [];
  for (const v of vars) if (!seen.has(v)) { seen.add(v); out.push(v); }
  return out;
}

export function positiveBatchSize(value: unknown, owner: string, option = 'batchSize'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new Error(`${owner}: ${option} must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * `Functional` (Keras 3's keras/src/models/functional.py): a model defined by a graph of layer calls on
 * symbolic tensors; `new Model({ inputs, outputs })` returns one. It lives in this module so that `Model` can
 * make one without an import cycle or a registration side effect.
 */
export class Functional<K extends string = string> extends Model<K> {
  static override readonly className: string = 'Functional';

  constructor(args: ModelArgs) {
    super(args);
    if (!this.graph) throw new Error(`${this.label}: a Functional model needs { inputs, outputs }`);
  }

  /** Keras' functional config: the layers with their inbound nodes, and the input and output layers. */
  override getConfig(): Record<string, unknown> {
    return functionalConfig(this, this.graph!) as unknown as Record<string, unknown>;
  }

  /** Rebuilds the graph from `getConfig()` output (either Keras nesting of `inbound_nodes`). */
  static override fromConfig<T>(this: unknown, config: Record<string, unknown>): T {
    return functionalFromConfig(config as unknown as FunctionalConfig, (args) => new Functional(args)) as unknown as T;
  }
}

function getFunctional(): new (args: ModelArgs) => Model {
  return Functional;
}

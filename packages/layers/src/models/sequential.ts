/**
 * Sequential: a stack of layers with Keras' model API. Training logic lives in ../training
 * (compile resolution, the train/test step, the fit loop); this class holds the layers and the state.
 */
import { Tensor, concat, noGrad, formatShape } from '@minikeras/tensor';
import type { TensorLike, Variable } from '@minikeras/tensor';
import { Layer, clearSession, formatSymbolicShape, uniqueLayerName } from '../layer';
import type { CallContext, SymbolicShape } from '../layer';
import { InputLayer } from '../layers/core';
import { formatSummary, summaryRows } from './summary';
import { resolveCompileArgs } from '../training/compile';
import type { CompileArgs, CompiledState, LogKey, MetricIdentifier } from '../training/compile';
import { collectLogs, resetMetrics, testStep, trainStep } from '../training/train-step';
import { asTensor, checkSameCount, sliceRows } from '../training/data';
import type { BatchSource } from '../training/data';
import { runFit } from '../training/fit';
import type { FitArgs } from '../training/fit';
import type { History } from '../callbacks/callback';
import type { Optimizer } from '@minikeras/optimizers';
import { modelToJSON, toArtifacts } from '../saving/artifacts';
import type { ModelArtifacts, SaveOptions } from '../saving/artifacts';
import { saveModel } from '../saving/load-model';
import type { IOHandler } from '../saving/load-model';
import type { SaveResult } from '../saving/model-json';
import type { SequentialTopology } from '../saving/keras-config';

export interface SequentialArgs {
  name?: string;
  layers?: Layer[];
}

export interface EvaluateArgs {
  batchSize?: number;
  sampleWeight?: TensorLike;
  verbose?: 0 | 1;
}

export interface PredictArgs {
  batchSize?: number;
}

/**
 * `K` is the set of log keys this model reports (see `compile`), which types `fit`'s callbacks and the
 * returned History. A model you have not compiled through the typed handle accepts any key.
 */
export class Sequential<K extends string = string> {
  static readonly className = 'Sequential';
  readonly name: string;
  readonly layers: Layer[] = [];
  /** Callbacks set this to end `fit` after the current batch. */
  stopTraining = false;
  private compiled: CompiledState | null = null;
  private builtShape: SymbolicShape | null = null;

  constructor(layersOrArgs: Layer[] | SequentialArgs = {}) {
    const args: SequentialArgs = Array.isArray(layersOrArgs) ? { layers: layersOrArgs } : layersOrArgs;
    this.name = args.name ?? uniqueLayerName('sequential');
    for (const layer of args.layers ?? []) this.add(layer);
  }

  private get label(): string {
    return `Sequential '${this.name}'`;
  }

  add(layer: Layer): void {
    if (!(layer instanceof Layer)) throw new Error(`${this.label}.add: expected a Layer, got ${typeof layer === 'object' ? (layer as object)?.constructor?.name : typeof layer}`);
    if (this.layers.some((l) => l.name === layer.name)) {
      throw new Error(`${this.label}.add: a layer named '${layer.name}' is already in the model; layer names must be unique`);
    }
    if (layer instanceof InputLayer && this.layers.length > 0) {
      throw new Error(`${this.label}.add: an InputLayer can only be the first layer`);
    }
    this.layers.push(layer);
    const declared = this.declaredInputShape;
    if (declared && this.layers.length === 1) this.build(declared);
    else if (this.builtShape) this.build(this.builtShape);
  }

  /** Removes the last layer. */
  pop(): Layer {
    const layer = this.layers.pop();
    if (!layer) throw new Error(`${this.label}.pop: the model has no layers`);
    return layer;
  }

  /** The input shape declared by the first layer (`inputShape` or `Input`), with batch axis. */
  get declaredInputShape(): SymbolicShape | null {
    return this.layers[0]?.batchInputShape ?? null;
  }

  get inputShape(): SymbolicShape | null {
    return this.builtShape;
  }

  get outputShape(): SymbolicShape | null {
    if (!this.builtShape) return null;
    return this.layers.reduce<SymbolicShape>((s, l) => l.computeOutputShape(s), this.builtShape);
  }

  get built(): boolean {
    return this.builtShape !== null;
  }

  /** Builds every layer for `inputShape` (with batch axis, e.g. `[null, 784]`). */
  build(inputShape: SymbolicShape): void {
    let shape: SymbolicShape = inputShape;
    for (const layer of this.layers) {
      layer.ensureBuilt(shape);
      shape = layer.computeOutputShape(shape);
    }
    this.builtShape = [...inputShape];
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
      throw new Error(`${this.label}: expected input of shape ${formatSymbolicShape(expected)}, got ${formatShape(x.shape)}${this.layers[0] ? ` (first layer: ${this.layers[0].className} '${this.layers[0].name}')` : ''}`);
    }
  }

  /** The forward pass. */
  call(x: Tensor, ctx: CallContext = { training: false }): Tensor {
    this.checkInput(x);
    let y = x;
    for (const layer of this.layers) y = layer.apply(y, ctx);
    return y;
  }

  /** Calls the model on a batch without gradient tracking (tfjs' `model.apply` / Keras' `model(x)`). */
  apply(x: TensorLike, ctx: CallContext = { training: false }): Tensor {
    const t = asTensor(x, `${this.label}.apply`);
    return ctx.training ? this.call(t, ctx) : noGrad(() => this.call(t, ctx));
  }

  get weights(): Variable[] { return this.layers.flatMap((l) => l.weights); }
  // A plain loop: flatMap was a visible share of a tiny model's training step, which reads this every step.
  get trainableWeights(): Variable[] {
    const out: Variable[] = [];
    for (const l of this.layers) for (const w of l.trainableWeights) out.push(w);
    return out;
  }
  get nonTrainableWeights(): Variable[] { return this.layers.flatMap((l) => l.nonTrainableWeights); }

  getWeights(): Tensor[] { return this.layers.flatMap((l) => l.getWeights()); }

  setWeights(weights: readonly Tensor[]): void {
    const total = this.weights.length;
    if (weights.length !== total) throw new Error(`${this.label}.setWeights: expected ${total} arrays, got ${weights.length}`);
    let offset = 0;
    for (const layer of this.layers) {
      const n = layer.weights.length;
      layer.setWeights(weights.slice(offset, offset + n));
      offset += n;
    }
  }

  regularizationLosses(): Tensor[] {
    const out: Tensor[] = [];
    for (const l of this.layers) for (const r of l.regularizationLosses()) out.push(r);
    return out;
  }

  countParams(): number { return this.layers.reduce((p, l) => p + l.countParams(), 0); }

  /** Prints (or passes to `printFn`) Keras' summary table. */
  summary(lineLength?: number, printFn: (line: string) => void = console.log): void {
    const rows = summaryRows(this.layers, this.builtShape);
    const trainable = this.trainableWeights.reduce((p, w) => p + w.size, 0);
    const nonTrainable = this.nonTrainableWeights.reduce((p, w) => p + w.size, 0);
    printFn(formatSummary(this.name, rows, { trainable, nonTrainable }, lineLength));
  }

  // ---- training -------------------------------------------------------------------------------------

  /**
   * Configures training. Returns this model typed with its log keys, so that
   * `const m = model.compile({ ..., metrics: ['accuracy'] })` gives `m.fit` callbacks and History typed
   * with 'loss' | 'accuracy' | 'val_loss' | 'val_accuracy'.
   */
  compile<const M extends MetricIdentifier = never>(args: CompileArgs<M>): Sequential<LogKey<M>> {
    this.compiled = resolveCompileArgs(args, this.label);
    return this as unknown as Sequential<LogKey<M>>;
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
    return this.compiled ? ['loss', ...this.compiled.metrics.map((m) => m.name)] : [];
  }

  fit(x: TensorLike, y: TensorLike, args?: FitArgs<K>): Promise<History<K>>;
  fit(dataset: BatchSource, args?: FitArgs<K>): Promise<History<K>>;
  async fit(xOrData: TensorLike | BatchSource, yOrArgs?: TensorLike | FitArgs<K>, maybeArgs?: FitArgs<K>): Promise<History<K>> {
    return (await runFit(this, this.requireCompiled('fit'), xOrData, yOrArgs, maybeArgs)) as History<K>;
  }

  /** Loss (and metrics) on the given data, batched. Returns a number when there are no metrics, else a list. */
  evaluate(x: TensorLike, y: TensorLike, args: EvaluateArgs = {}): number | number[] {
    const compiled = this.requireCompiled('evaluate');
    const logs = this.evaluateToLogs(asTensor(x, `${this.label}.evaluate: x`), asTensor(y, `${this.label}.evaluate: y`), args);
    const values = this.metricsNames.map((n) => logs[n]!);
    return compiled.metrics.length === 0 ? values[0]! : values;
  }

  /** @internal evaluate, returning logs keyed by metric name. */
  evaluateToLogs(x: Tensor, y: Tensor, args: EvaluateArgs = {}, prefix = ''): Record<string, number> {
    const compiled = this.requireCompiled('evaluate');
    const sw = args.sampleWeight === undefined ? undefined : asTensor(args.sampleWeight, `${this.label}.evaluate: sampleWeight`);
    const n = checkSameCount(x, y, `${this.label}.evaluate`, sw);
    const batchSize = positiveBatchSize(args.batchSize ?? 32, `${this.label}.evaluate`);
    resetMetrics(compiled);
    this.checkInput(x);
    for (let start = 0; start < n; start += batchSize) {
      const end = Math.min(n, start + batchSize);
      testStep(this, compiled, sliceRows(x, start, end), sliceRows(y, start, end), sw && sliceRows(sw, start, end));
    }
    return collectLogs(compiled, prefix);
  }

  /** Outputs for `x`, computed in batches of `batchSize` without gradient tracking. */
  predict(x: TensorLike, args: PredictArgs = {}): Tensor {
    const t = asTensor(x, `${this.label}.predict: x`);
    const batchSize = positiveBatchSize(args.batchSize ?? 32, `${this.label}.predict`);
    const n = t.shape[0] ?? 0;
    return noGrad(() => {
      this.checkInput(t);
      if (n <= batchSize) return this.call(t, { training: false });
      const parts: Tensor[] = [];
      for (let start = 0; start < n; start += batchSize) parts.push(this.call(sliceRows(t, start, Math.min(n, start + batchSize)), { training: false }));
      return concat(parts, 0);
    });
  }

  predictOnBatch(x: TensorLike): Tensor {
    const t = asTensor(x, `${this.label}.predictOnBatch: x`);
    return noGrad(() => this.call(t, { training: false }));
  }

  /** One gradient step on one batch; returns the loss (and metrics of that batch). */
  trainOnBatch(x: TensorLike, y: TensorLike, args: { sampleWeight?: TensorLike } = {}): number | number[] {
    const compiled = this.requireCompiled('trainOnBatch');
    const xt = asTensor(x, `${this.label}.trainOnBatch: x`), yt = asTensor(y, `${this.label}.trainOnBatch: y`);
    const sw = args.sampleWeight === undefined ? undefined : asTensor(args.sampleWeight, `${this.label}.trainOnBatch: sampleWeight`);
    checkSameCount(xt, yt, `${this.label}.trainOnBatch`, sw);
    this.checkInput(xt);
    resetMetrics(compiled);
    trainStep(this, compiled, xt, yt, sw);
    return this.batchResult(compiled);
  }

  testOnBatch(x: TensorLike, y: TensorLike, args: { sampleWeight?: TensorLike } = {}): number | number[] {
    const compiled = this.requireCompiled('testOnBatch');
    const xt = asTensor(x, `${this.label}.testOnBatch: x`), yt = asTensor(y, `${this.label}.testOnBatch: y`);
    const sw = args.sampleWeight === undefined ? undefined : asTensor(args.sampleWeight, `${this.label}.testOnBatch: sampleWeight`);
    checkSameCount(xt, yt, `${this.label}.testOnBatch`, sw);
    this.checkInput(xt);
    resetMetrics(compiled);
    testStep(this, compiled, xt, yt, sw);
    return this.batchResult(compiled);
  }

  private batchResult(compiled: CompiledState): number | number[] {
    // The values in metricsNames order ('loss', then the metrics), read directly rather than through the
    // sorted logs object: this runs after every trainOnBatch.
    if (compiled.metrics.length === 0) return compiled.lossTracker.result();
    const values = [compiled.lossTracker.result()];
    for (const m of compiled.metrics) values.push(m.result());
    return values;
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

  /** The Keras model config (snake_case, as Keras' `model.to_json()`); `JSON.stringify(model)` uses it. */
  toJSON(): SequentialTopology {
    return modelToJSON(this);
  }

  /** The in-memory save artifacts (tfjs' ModelArtifacts shape). */
  toArtifacts(options: SaveOptions = {}): ModelArtifacts {
    return toArtifacts(this, options);
  }

  getConfig(): { name: string; layers: { className: string; config: Record<string, unknown> }[] } {
    return { name: this.name, layers: this.layers.map((l) => ({ className: l.className, config: l.getConfig() })) };
  }
}

export function positiveBatchSize(value: unknown, owner: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new Error(`${owner}: batchSize must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

export { clearSession };

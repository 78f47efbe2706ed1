/**
 * Callbacks: hooks the training loop calls with Keras' logs (running epoch averages at batch end; epoch
 * averages plus `val_*` at epoch end). A hook may return a Promise; the loop awaits only when one does,
 * so synchronous callbacks add no per-batch promise overhead.
 *
 * The type parameter `K` lists the log keys a callback reads (EarlyStopping's `monitor`, ...). A typed model
 * (`model.compile(...)` returns one) only accepts callbacks whose keys it actually logs, so
 * `new EarlyStopping({ monitor: 'val_acc' })` is a compile error when the metric is named 'accuracy'.
 */
import type { Tensor } from '@minikeras/tensor';

export type Logs = Record<string, number>;

export interface TrainingParams {
  epochs: number;
  /** Batches per epoch, or null when the data is an iterable of unknown length. */
  steps: number | null;
  verbose: 0 | 1 | 2;
}

/** What callbacks may touch on the model being trained. */
export interface CallbackModel {
  /** Set to true to end `fit` after the current batch. */
  stopTraining: boolean;
  readonly optimizer: { learningRate: number };
  getWeights(): Tensor[];
  setWeights(weights: readonly Tensor[]): void;
  /** Present once the model can be saved; ModelCheckpoint uses it. */
  save?(path: string, options?: { includeOptimizer?: boolean }): Promise<unknown>;
}

type MaybePromise = void | Promise<void>;

export abstract class Callback<K extends string = never> {
  /** Phantom: the log keys this callback reads (see the file comment). */
  declare readonly logKeys?: K;
  model: CallbackModel | null = null;
  params: TrainingParams | null = null;

  setModel(model: CallbackModel): void { this.model = model; }
  setParams(params: TrainingParams): void { this.params = params; }

  onTrainBegin(_logs: Logs): MaybePromise {}
  onTrainEnd(_logs: Logs): MaybePromise {}
  onEpochBegin(_epoch: number, _logs: Logs): MaybePromise {}
  onEpochEnd(_epoch: number, _logs: Logs): MaybePromise {}
  onBatchBegin(_batch: number, _logs: Logs): MaybePromise {}
  onBatchEnd(_batch: number, _logs: Logs): MaybePromise {}
  onTestBegin(_logs: Logs): MaybePromise {}
  onTestEnd(_logs: Logs): MaybePromise {}
  onTestBatchEnd(_batch: number, _logs: Logs): MaybePromise {}
  onPredictBegin(_logs: Logs): MaybePromise {}
  onPredictEnd(_logs: Logs): MaybePromise {}
  onPredictBatchEnd(_batch: number, _logs: Logs): MaybePromise {}
}

/** Records every epoch's logs: `history.history.loss[epoch]`. Returned by `fit`. */
export class History<K extends string = string> extends Callback<never> {
  epoch: number[] = [];
  history: Record<K, number[]> = {} as Record<K, number[]>;

  override onTrainBegin(): void {
    this.epoch = [];
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) {
      const list = (this.history as Record<string, number[]>)[key] ?? ((this.history as Record<string, number[]>)[key] = []);
      list.push(value);
    }
  }
}

/** Calls a list of callbacks in order, awaiting only the ones that return promises. */
export class CallbackList {
  readonly callbacks: Callback<string>[];

  constructor(callbacks: readonly Callback<string>[], model: CallbackModel, params: TrainingParams) {
    this.callbacks = [...callbacks];
    for (const c of this.callbacks) {
      c.setModel(model);
      c.setParams(params);
    }
  }

  /** Synchronous until some callback returns a promise; only then does the caller get one to await. */
  private run(invoke: (c: Callback<string>) => MaybePromise, from = 0): MaybePromise {
    for (let i = from; i < this.callbacks.length; i++) {
      // A hook may return anything (`(e, logs) => history.push(logs.loss)` returns a number); only a promise is awaited.
      const r: unknown = invoke(this.callbacks[i]!);
      if (r !== null && typeof r === 'object' && typeof (r as Promise<void>).then === 'function') return (r as Promise<void>).then(() => this.run(invoke, i + 1));
    }
  }

  /** True when some callback overrides `onBatchBegin`/`onBatchEnd`, so the loop can skip building batch logs. */
  get wantsBatchHooks(): boolean {
    return this.callbacks.some((c) => c.onBatchBegin !== Callback.prototype.onBatchBegin || c.onBatchEnd !== Callback.prototype.onBatchEnd);
  }

  trainBegin(logs: Logs = {}) { return this.run((c) => c.onTrainBegin(logs)); }
  trainEnd(logs: Logs = {}) { return this.run((c) => c.onTrainEnd(logs)); }
  epochBegin(epoch: number, logs: Logs = {}) { return this.run((c) => c.onEpochBegin(epoch, logs)); }
  epochEnd(epoch: number, logs: Logs = {}) { return this.run((c) => c.onEpochEnd(epoch, logs)); }
  batchBegin(batch: number, logs: Logs = {}) { return this.run((c) => c.onBatchBegin(batch, logs)); }
  batchEnd(batch: number, logs: Logs = {}) { return this.run((c) => c.onBatchEnd(batch, logs)); }
  testBegin(logs: Logs = {}) { return this.run((c) => c.onTestBegin(logs)); }
  testEnd(logs: Logs = {}) { return this.run((c) => c.onTestEnd(logs)); }
  testBatchEnd(batch: number, logs: Logs = {}) { return this.run((c) => c.onTestBatchEnd(batch, logs)); }
  predictBegin(logs: Logs = {}) { return this.run((c) => c.onPredictBegin(logs)); }
  predictEnd(logs: Logs = {}) { return this.run((c) => c.onPredictEnd(logs)); }
  predictBatchEnd(batch: number, logs: Logs = {}) { return this.run((c) => c.onPredictBatchEnd(batch, logs)); }
}

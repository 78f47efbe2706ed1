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

/** The numbers a callback hook receives, by log name (`loss`, `accuracy`, `val_loss`, ...): Keras' `logs` dict. */
export type Logs = Record<string, number>;

/** What `fit` tells its callbacks about the run (Keras 3 `Callback.params`). */
export interface TrainingParams {
  /** Number of epochs of the run. */
  epochs: number;
  /** Batches per epoch, or null when the data is an iterable of unknown length. */
  steps: number | null;
  /** `fit`'s resolved verbosity: 0 silent, 1 progress bar, 2 one line per epoch. */
  verbose: 0 | 1 | 2;
}

/** What callbacks may touch on the model being trained. */
export interface CallbackModel {
  /** Set to true to end `fit` after the current batch. */
  stopTraining: boolean;
  /** The compiled optimizer; schedulers read and set its learning rate. */
  readonly optimizer: { learningRate: number };
  /** Snapshots of all weights, in `model.weights` order. */
  getWeights(): Tensor[];
  /** Overwrites all weights, in `model.weights` order. */
  setWeights(weights: readonly Tensor[]): void;
  /** Present once the model can be saved; ModelCheckpoint uses it. */
  save?(path: string, options?: { includeOptimizer?: boolean }): Promise<unknown>;
}

type MaybePromise = void | Promise<void>;

/**
 * Base class of training callbacks (Keras 3 `keras.callbacks.Callback`): override the hooks you need. `fit` calls
 * the train, epoch and batch hooks with the logs described above, after setting `model` and `params`.
 */
export abstract class Callback<K extends string = never> {
  /** Phantom: the log keys this callback reads (see the file comment). */
  declare readonly logKeys?: K;
  /** The model being trained; set by `fit` before the first hook. */
  model: CallbackModel | null = null;
  /** The run's parameters; set by `fit` before the first hook. */
  params: TrainingParams | null = null;

  /** Called by the training loop before the first hook (Keras `set_model`). */
  setModel(model: CallbackModel): void { this.model = model; }
  /** Called by the training loop before the first hook (Keras `set_params`). */
  setParams(params: TrainingParams): void { this.params = params; }

  /** At the start of `fit`. */
  onTrainBegin(_logs: Logs): MaybePromise {}
  /** At the end of `fit`, with the last epoch's logs. */
  onTrainEnd(_logs: Logs): MaybePromise {}
  /** At the start of each (zero-based) epoch. */
  onEpochBegin(_epoch: number, _logs: Logs): MaybePromise {}
  /** At the end of each epoch, with its averages and the `val_*` entries of validation. */
  onEpochEnd(_epoch: number, _logs: Logs): MaybePromise {}
  /** Before each training batch (zero-based within its epoch). */
  onBatchBegin(_batch: number, _logs: Logs): MaybePromise {}
  /** After each training batch, with the running averages of the epoch so far. */
  onBatchEnd(_batch: number, _logs: Logs): MaybePromise {}
  /** Keras' `on_test_begin`; `evaluate` and `predict` take no callbacks, so nothing calls it yet. */
  onTestBegin(_logs: Logs): MaybePromise {}
  /** Keras' `on_test_end`; `evaluate` and `predict` take no callbacks, so nothing calls it yet. */
  onTestEnd(_logs: Logs): MaybePromise {}
  /** Keras' `on_test_batch_end`; `evaluate` and `predict` take no callbacks, so nothing calls it yet. */
  onTestBatchEnd(_batch: number, _logs: Logs): MaybePromise {}
  /** Keras' `on_predict_begin`; `evaluate` and `predict` take no callbacks, so nothing calls it yet. */
  onPredictBegin(_logs: Logs): MaybePromise {}
  /** Keras' `on_predict_end`; `evaluate` and `predict` take no callbacks, so nothing calls it yet. */
  onPredictEnd(_logs: Logs): MaybePromise {}
  /** Keras' `on_predict_batch_end`; `evaluate` and `predict` take no callbacks, so nothing calls it yet. */
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

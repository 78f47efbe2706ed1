/**
 * Saves the model (or its weights) every epoch or every `saveFreq` batches, optionally only when the
 * monitored quantity improves (Keras 3 `ModelCheckpoint`).
 *
 * `filepath` may hold Python format fields filled from `epoch` (one-based), `batch` (one-based, with a
 * numeric `saveFreq`) and the logs: `'ckpt/{epoch:02d}-{val_loss:.2f}'` -> `'ckpt/03-0.42'`.
 *
 * Where it saves:
 * - `model.save(path)` when the model has `save` (`saveWeightsOnly: false`, the default), and
 *   `model.saveWeights(path)` when it has that method and `saveWeightsOnly` is true.
 * - Otherwise in memory: each save snapshots `model.getWeights()` into `bestWeights` (with `bestEpoch`),
 *   restorable with `model.setWeights(checkpoint.bestWeights)`. With `saveBestOnly` that is the best epoch.
 *
 * Divergence from Keras: no `.keras` / `.weights.h5` suffix is required, since minikeras saves to a
 * directory in the TensorFlow.js layers format.
 */
import type { Tensor } from '@minikeras/tensor';
import { Callback } from './callback';
import type { CallbackModel, Logs } from './callback';
import { snapshot } from './early-stopping';
import { WarnOnce, printMessage, requireModel, resolveMonitorMode } from './monitor';
import type { MonitorMode } from './monitor';
import { formatTemplate, pyFixed } from './python-format';

/** Options of {@link ModelCheckpoint} (Keras 3 `ModelCheckpoint`'s arguments, camelCased). */
export interface ModelCheckpointOptions<K extends string> {
  /** Log key deciding the best model with `saveBestOnly`. Default 'val_loss'. */
  monitor?: K;
  /** 1 prints each save decision. Default 0. */
  verbose?: 0 | 1;
  /** Save only when `monitor` improves on the best value so far. Default false. */
  saveBestOnly?: boolean;
  /** Save only the weights (`model.saveWeights`). Default false: the whole model (`model.save`). */
  saveWeightsOnly?: boolean;
  /** 'min', 'max', or 'auto' (from the metric name). Default 'auto'. */
  mode?: MonitorMode;
  /** 'epoch', or save every this many batches. Default 'epoch'. */
  saveFreq?: 'epoch' | number;
  /** Initial "best" value for `saveBestOnly`: only better models are saved. Default none. */
  initialValueThreshold?: number;
}

/** A model that may also save only its weights (added with saving). */
type CheckpointModel = CallbackModel & { saveWeights?(path: string): Promise<unknown> };

/**
 * Saves the model or its weights to `filepath` during training, optionally only on improvement of `monitor`
 * (Keras 3 `keras.callbacks.ModelCheckpoint`); keeps the weights in memory when the model cannot save.
 */
export class ModelCheckpoint<K extends string = 'val_loss'> extends Callback<K> {
  // NoInfer: `K` comes from `monitor` (or its default), never from the list the callback is put in, so
  // `const cbs: Callback<'loss'>[] = [new ModelCheckpoint()]` is rejected instead of typing the default as 'loss'.
  declare readonly logKeys?: NoInfer<K>;
  readonly filepath: string;
  readonly monitor: K;
  readonly verbose: 0 | 1;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly mode: 'min' | 'max';
  readonly saveFreq: 'epoch' | number;
  /** Best monitored value so far; kept across fits, as in Keras, so resumed training only saves better models. */
  best: number;
  /** In-memory mode: the weights of the last save (the best epoch with `saveBestOnly`). */
  bestWeights: Tensor[] | null = null;
  /** Zero-based epoch of the last save. */
  bestEpoch: number | null = null;
  /** Formatted path of the last save, on disk or in memory. */
  lastSavedPath: string | null = null;
  private currentEpoch = 0;
  private batchesSinceSave = 0;
  private lastBatchSeen = 0;
  private readonly warnings = new WarnOnce();

  constructor(filepath: string, options: ModelCheckpointOptions<K> = {}) {
    super();
    const {
      monitor = 'val_loss' as K, verbose = 0, saveBestOnly = false, saveWeightsOnly = false, mode = 'auto',
      saveFreq = 'epoch', initialValueThreshold,
    } = options;
    if (typeof filepath !== 'string' || filepath === '') throw new Error(`ModelCheckpoint: filepath must be a non-empty string, got ${JSON.stringify(filepath)}`);
    if (typeof monitor !== 'string' || monitor === '') throw new Error(`ModelCheckpoint: monitor must be a log key such as 'val_loss', got ${JSON.stringify(monitor)}`);
    if (saveFreq !== 'epoch' && !(Number.isInteger(saveFreq) && saveFreq > 0)) {
      throw new Error(`ModelCheckpoint: saveFreq must be 'epoch' or a positive integer number of batches, got ${JSON.stringify(saveFreq)}`);
    }
    this.filepath = filepath;
    this.monitor = monitor;
    this.verbose = verbose;
    this.saveBestOnly = saveBestOnly;
    this.saveWeightsOnly = saveWeightsOnly;
    // Only `saveBestOnly` compares values, so an unclassifiable monitor name is an error only then.
    this.mode = saveBestOnly ? resolveMonitorMode('ModelCheckpoint', monitor, mode) : mode === 'max' ? 'max' : 'min';
    this.saveFreq = saveFreq;
    this.best = initialValueThreshold ?? (this.mode === 'min' ? Infinity : -Infinity);
    // Batch hooks only when saving by batch count, so the training loop skips per-batch logs otherwise.
    if (saveFreq !== 'epoch') this.onBatchEnd = this.batchEnd;
  }

  override onTrainBegin(_logs?: Logs): void {
    this.batchesSinceSave = 0;
    this.lastBatchSeen = 0;
    this.warnings.reset();
  }

  override onEpochBegin(epoch: number, _logs?: Logs): void {
    this.currentEpoch = epoch;
  }

  override onEpochEnd(epoch: number, logs: Logs): void | Promise<void> {
    if (this.saveFreq === 'epoch') return this.saveModel(epoch, null, logs);
  }

  private readonly batchEnd = (batch: number, logs: Logs): void | Promise<void> => {
    if (this.shouldSaveOnBatch(batch)) return this.saveModel(this.currentEpoch, batch, logs);
  };

  private shouldSaveOnBatch(batch: number): boolean {
    // A batch index that did not grow means a new epoch started.
    const added = batch <= this.lastBatchSeen ? batch + 1 : batch - this.lastBatchSeen;
    this.batchesSinceSave += added;
    this.lastBatchSeen = batch;
    if (this.batchesSinceSave >= (this.saveFreq as number)) {
      this.batchesSinceSave = 0;
      return true;
    }
    return false;
  }

  /** The filepath with its `{epoch}`, `{batch}` and log fields filled in. */
  formatPath(epoch: number, batch: number | null, logs: Logs): string {
    const values: Record<string, number> = { ...logs, epoch: epoch + 1 };
    if (batch !== null && logs['batch'] === undefined) values['batch'] = batch + 1;
    return formatTemplate('ModelCheckpoint', this.filepath, values, new Set(['epoch', 'batch']));
  }

  private shouldSave(epoch: number, logs: Logs, path: string): boolean {
    if (!this.saveBestOnly) {
      if (this.verbose > 0) printMessage(`\nEpoch ${epoch + 1}: saving model to ${path}`);
      return true;
    }
    const current = logs[this.monitor];
    if (current === undefined) {
      // Keras saves anyway rather than silently never saving.
      this.warnings.warn(this.monitor, `ModelCheckpoint: can save best model only with ${this.monitor} available; saving every time. Available metrics are: ${Object.keys(logs).join(',')}`);
      return true;
    }
    const bestStr = pyFixed(this.best, 5);
    const improved = this.mode === 'min' ? current < this.best : current > this.best;
    if (improved) {
      if (this.verbose > 0) printMessage(`\nEpoch ${epoch + 1}: ${this.monitor} improved from ${bestStr} to ${pyFixed(current, 5)}, saving model to ${path}`);
      this.best = current;
      return true;
    }
    if (this.verbose > 0) printMessage(`\nEpoch ${epoch + 1}: ${this.monitor} did not improve from ${bestStr}`);
    return false;
  }

  private saveModel(epoch: number, batch: number | null, logs: Logs): void | Promise<void> {
    const path = this.formatPath(epoch, batch, logs);
    if (!this.shouldSave(epoch, logs, path)) return;
    const model = requireModel('ModelCheckpoint', this.model) as CheckpointModel;
    const done = () => {
      this.lastSavedPath = path;
      this.bestEpoch = epoch;
      if (this.verbose > 0) printMessage(`\nEpoch ${epoch + 1}: finished saving model to ${path}`);
    };
    const pending = this.saveWeightsOnly
      ? model.saveWeights?.(path)
      : model.save?.(path);
    if (pending === undefined) {
      this.bestWeights = snapshot(model.getWeights());
      done();
      return;
    }
    return pending.then(done);
  }
}

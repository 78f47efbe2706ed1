/**
 * Stops training when a monitored quantity has stopped improving (Keras 3 `EarlyStopping`).
 *
 * `K` is the monitored log key, so a typed model rejects a key it never logs:
 * `new EarlyStopping({ monitor: 'val_acc' })` does not compile when the metric is 'accuracy'.
 */
import type { Tensor } from '@minikeras/tensor';
import { Callback } from './callback';
import type { Logs } from './callback';
import { WarnOnce, printMessage, requireModel, resolveMonitorMode } from './monitor';
import type { MonitorMode } from './monitor';

/** Options of {@link EarlyStopping} (Keras 3 `EarlyStopping`'s arguments, camelCased). */
export interface EarlyStoppingOptions<K extends string> {
  /** Log key to watch. Default 'val_loss'. */
  monitor?: K;
  /** An absolute change smaller than this is not an improvement. Default 0. */
  minDelta?: number;
  /** Epochs without improvement before stopping. Default 0. */
  patience?: number;
  /** 1 prints `Epoch N: early stopping` and the restore message. Default 0. */
  verbose?: 0 | 1;
  /** 'min', 'max', or 'auto' (from the metric name: accuracy/AUC/precision/recall up, losses down). Default 'auto'. */
  mode?: MonitorMode;
  /** Training stops unless the monitored value beats this within `patience` epochs. Default null. */
  baseline?: number | null;
  /**
   * Restore the weights of the best epoch when training ends (whether stopped early or not). An epoch is
   * restored regardless of `baseline`. Default false: the model keeps the last step's weights.
   */
  restoreBestWeights?: boolean;
  /** Epochs to wait before monitoring (warm-up). Default 0. */
  startFromEpoch?: number;
}

/**
 * Stops `fit` once `monitor` has not improved for `patience` epochs, optionally restoring the best weights
 * (Keras 3 `keras.callbacks.EarlyStopping`).
 */
export class EarlyStopping<K extends string = 'val_loss'> extends Callback<K> {
  // NoInfer: `K` comes from `monitor` (or its default), never from the list the callback is put in, so
  // `const cbs: Callback<'loss'>[] = [new EarlyStopping()]` is rejected instead of typing the default as 'loss'.
  declare readonly logKeys?: NoInfer<K>;
  readonly monitor: K;
  readonly minDelta: number;
  readonly patience: number;
  readonly verbose: 0 | 1;
  readonly mode: 'min' | 'max';
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  /** Epochs since the last improvement. */
  wait = 0;
  /** The (zero-based) epoch at which training was stopped, 0 when it was not. */
  stoppedEpoch = 0;
  best: number;
  bestEpoch = 0;
  bestWeights: Tensor[] | null = null;
  private readonly warnings = new WarnOnce();

  constructor(options: EarlyStoppingOptions<K> = {}) {
    super();
    const {
      monitor = 'val_loss' as K, minDelta = 0, patience = 0, verbose = 0, mode = 'auto', baseline = null,
      restoreBestWeights = false, startFromEpoch = 0,
    } = options;
    if (typeof monitor !== 'string' || monitor === '') throw new Error(`EarlyStopping: monitor must be a log key such as 'val_loss', got ${JSON.stringify(monitor)}`);
    if (!Number.isFinite(minDelta)) throw new Error(`EarlyStopping: minDelta must be a finite number, got ${minDelta}`);
    if (!(Number.isInteger(patience) && patience >= 0)) throw new Error(`EarlyStopping: patience must be a non-negative integer, got ${patience}`);
    if (!(Number.isInteger(startFromEpoch) && startFromEpoch >= 0)) throw new Error(`EarlyStopping: startFromEpoch must be a non-negative integer, got ${startFromEpoch}`);
    this.monitor = monitor;
    this.minDelta = Math.abs(minDelta);
    this.patience = patience;
    this.verbose = verbose;
    this.mode = resolveMonitorMode('EarlyStopping', monitor, mode);
    this.baseline = baseline;
    this.restoreBestWeights = restoreBestWeights;
    this.startFromEpoch = startFromEpoch;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  override onTrainBegin(_logs?: Logs): void {
    // Divergence from Keras 3: `best` is reset too, so a reused instance starts fresh in every fit
    // (Keras 3 resets wait/weights but keeps `best` from the previous fit).
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.bestEpoch = 0;
    this.bestWeights = null;
    this.warnings.reset();
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      this.warnings.warn(this.monitor, `EarlyStopping conditioned on metric \`${this.monitor}\` which is not available. Available metrics are: ${Object.keys(logs).join(',')}`);
      return;
    }
    if (epoch < this.startFromEpoch) return;
    const model = requireModel('EarlyStopping', this.model);
    // Until something improves, the first monitored epoch is the best one.
    if (this.restoreBestWeights && this.bestWeights === null) {
      this.bestWeights = snapshot(model.getWeights());
      this.bestEpoch = epoch;
    }
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = snapshot(model.getWeights());
      // The wait restarts only when the value beats both the previous best and the baseline.
      if (this.baseline === null || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    // Keras never stops at epoch 0, even with patience 0.
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  override onTrainEnd(_logs?: Logs): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0) printMessage(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== null) {
      if (this.verbose > 0) printMessage(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      requireModel('EarlyStopping', this.model).setWeights(this.bestWeights);
    }
  }

  /** NaN is never an improvement (every comparison with NaN is false). */
  private isImprovement(value: number, reference: number): boolean {
    return this.mode === 'min' ? value + this.minDelta < reference : value - this.minDelta > reference;
  }
}

/** Copies, because a model may hand out its live variables, which later steps overwrite in place. */
export function snapshot(weights: readonly Tensor[]): Tensor[] {
  return weights.map((w) => w.clone());
}

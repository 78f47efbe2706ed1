/**
 * Multiplies the optimizer's learning rate by `factor` when the monitored quantity has not improved for
 * `patience` epochs (Keras 3 `ReduceLROnPlateau`). Adds `learning_rate` to each epoch's logs, as Keras does.
 */
import { Callback } from './callback';
import type { Logs } from './callback';
import { WarnOnce, inferMonitorMode, printMessage, requireModel } from './monitor';
import type { MonitorMode } from './monitor';
import { pyRepr } from './python-format';

/** Options of {@link ReduceLROnPlateau} (Keras 3 `ReduceLROnPlateau`'s arguments, camelCased). */
export interface ReduceLROnPlateauOptions<K extends string> {
  /** Log key to watch. Default 'val_loss'. */
  monitor?: K;
  /** `newLr = lr * factor`, in [0, 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement before reducing. Default 10. */
  patience?: number;
  /** 1 prints each reduction. Default 0. */
  verbose?: 0 | 1;
  /** 'min', 'max', or 'auto' (from the metric name; unknown names count as 'min', as in Keras). Default 'auto'. */
  mode?: MonitorMode;
  /** Threshold for a new optimum. Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** Lower bound on the learning rate. Default 0. */
  minLr?: number;
}

/**
 * Multiplies the learning rate by `factor` when `monitor` has stalled for `patience` epochs
 * (Keras 3 `keras.callbacks.ReduceLROnPlateau`).
 */
export class ReduceLROnPlateau<K extends string = 'val_loss'> extends Callback<K> {
  // NoInfer: `K` comes from `monitor` (or its default), never from the list the callback is put in, so
  // `const cbs: Callback<'loss'>[] = [new ReduceLROnPlateau()]` is rejected instead of typing the default as 'loss'.
  declare readonly logKeys?: NoInfer<K>;
  readonly monitor: K;
  readonly factor: number;
  readonly patience: number;
  readonly verbose: 0 | 1;
  readonly mode: 'min' | 'max';
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  wait = 0;
  cooldownCounter = 0;
  best: number;
  private readonly warnings = new WarnOnce();

  constructor(options: ReduceLROnPlateauOptions<K> = {}) {
    super();
    const {
      monitor = 'val_loss' as K, factor = 0.1, patience = 10, verbose = 0, mode = 'auto', minDelta = 1e-4,
      cooldown = 0, minLr = 0,
    } = options;
    if (typeof monitor !== 'string' || monitor === '') throw new Error(`ReduceLROnPlateau: monitor must be a log key such as 'val_loss', got ${JSON.stringify(monitor)}`);
    if (!(factor >= 0 && factor < 1)) throw new Error(`ReduceLROnPlateau does not support a factor outside [0, 1). Received factor=${factor}`);
    if (!(Number.isInteger(patience) && patience >= 0)) throw new Error(`ReduceLROnPlateau: patience must be a non-negative integer, got ${patience}`);
    if (!(Number.isInteger(cooldown) && cooldown >= 0)) throw new Error(`ReduceLROnPlateau: cooldown must be a non-negative integer, got ${cooldown}`);
    if (!(minLr >= 0)) throw new Error(`ReduceLROnPlateau: minLr must be >= 0, got ${minLr}`);
    if (!Number.isFinite(minDelta)) throw new Error(`ReduceLROnPlateau: minDelta must be a finite number, got ${minDelta}`);
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new Error(`ReduceLROnPlateau: mode must be 'auto', 'min' or 'max', got ${JSON.stringify(mode)}`);
    this.monitor = monitor;
    this.factor = factor;
    this.patience = patience;
    this.verbose = verbose;
    // Keras' own rule here is "'acc' in monitor means max, else min"; the shared name table agrees on
    // every accuracy key and also gets AUC/precision/recall right.
    this.mode = mode === 'auto' ? inferMonitorMode(monitor) ?? 'min' : mode;
    this.minDelta = minDelta;
    this.cooldown = cooldown;
    this.minLr = minLr;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  override onTrainBegin(_logs?: Logs): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.cooldownCounter = 0;
    this.wait = 0;
    this.warnings.reset();
  }

  inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const optimizer = requireModel('ReduceLROnPlateau', this.model).optimizer;
    logs['learning_rate'] = optimizer.learningRate;
    const current = logs[this.monitor];
    if (current === undefined) {
      this.warnings.warn(this.monitor, `Learning rate reduction is conditioned on metric \`${this.monitor}\` which is not available. Available metrics are: ${Object.keys(logs).join(',')}.`);
      return;
    }
    if (this.inCooldown()) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.isImprovement(current)) {
      this.best = current;
      this.wait = 0;
      return;
    }
    if (this.inCooldown()) return;
    this.wait += 1;
    if (this.wait < this.patience) return;
    const oldLr = optimizer.learningRate;
    // Already at the floor, in float64 or after an optimizer stored it as float32 (Keras compares with
    // np.float32(min_lr) for the same reason): reducing again would only repeat the message.
    if (oldLr > this.minLr && oldLr !== Math.fround(this.minLr)) {
      const newLr = Math.max(oldLr * this.factor, this.minLr);
      optimizer.learningRate = newLr;
      if (this.verbose > 0) printMessage(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${pyRepr(newLr)}.`);
      this.cooldownCounter = this.cooldown;
      this.wait = 0;
    }
  }

  private isImprovement(current: number): boolean {
    return this.mode === 'min' ? current < this.best - this.minDelta : current > this.best + this.minDelta;
  }
}

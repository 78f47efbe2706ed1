/**
 * Sets the optimizer's learning rate at the start of every epoch from `schedule(epoch, currentLr)`
 * (Keras 3 `LearningRateScheduler`; `epoch` is zero-based). Adds `learning_rate` to each epoch's logs.
 */
import { Callback } from './callback';
import type { Logs } from './callback';
import { printMessage, requireModel } from './monitor';
import { pyRepr } from './python-format';

/** A schedule: the learning rate for a zero-based `epoch`, given the current rate `lr`. */
export type LearningRateSchedulerFn = (epoch: number, lr: number) => number;

/** Options of {@link LearningRateScheduler}. */
export interface LearningRateSchedulerOptions {
  /** 1 prints each new learning rate. Default 0. */
  verbose?: 0 | 1;
}

/**
 * Sets the learning rate from `schedule(epoch, lr)` at each epoch's start (Keras 3 `keras.callbacks.LearningRateScheduler`).
 */
export class LearningRateScheduler extends Callback<never> {
  readonly schedule: LearningRateSchedulerFn;
  readonly verbose: 0 | 1;

  constructor(schedule: LearningRateSchedulerFn, options: LearningRateSchedulerOptions = {}) {
    super();
    if (typeof schedule !== 'function') throw new Error(`LearningRateScheduler: schedule must be a function (epoch, lr) => number, got ${typeof schedule}`);
    this.schedule = schedule;
    this.verbose = options.verbose ?? 0;
  }

  override onEpochBegin(epoch: number, _logs?: Logs): void {
    const optimizer = requireModel('LearningRateScheduler', this.model).optimizer;
    const lr: unknown = this.schedule(epoch, optimizer.learningRate);
    if (typeof lr !== 'number' || !Number.isFinite(lr)) {
      throw new Error(`LearningRateScheduler: the schedule function must return a finite number, got ${String(lr)} at epoch ${epoch}`);
    }
    optimizer.learningRate = lr;
    if (this.verbose > 0) printMessage(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${pyRepr(lr)}.`);
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    logs['learning_rate'] = requireModel('LearningRateScheduler', this.model).optimizer.learningRate;
  }
}

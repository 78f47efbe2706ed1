/**
 * Sets the optimizer's learning rate at the start of every epoch from `schedule(epoch, currentLr)`
 * (Keras 3 `LearningRateScheduler`; `epoch` is zero-based). Adds `learning_rate` to each epoch's logs.
 */
import { Callback } from './callback';
import type { Logs } from './callback';
import { printMessage, requireModel } from './monitor';
import { pyRepr } from './python-format';

export type LearningRateSchedulerFn = (epoch: number, lr: number) => number;

export interface LearningRateSchedulerOptions {
  /** 1 prints each new learning rate. Default 0. */
  verbose?: 0 | 1;
}

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

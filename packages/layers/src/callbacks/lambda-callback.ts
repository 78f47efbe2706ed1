/**
 * A callback from plain functions (Keras 3 `LambdaCallback`). Only the hooks given are installed, so a
 * LambdaCallback without batch functions does not make the training loop build per-batch logs.
 */
import { Callback } from './callback';
import type { Logs } from './callback';

// A hook may return anything (`(e, logs) => history.push(logs.loss)` is an everyday idiom); only a promise is awaited.
type Hook<Args extends unknown[]> = (...args: Args) => unknown;

export interface LambdaCallbackOptions {
  onEpochBegin?: Hook<[epoch: number, logs: Logs]>;
  onEpochEnd?: Hook<[epoch: number, logs: Logs]>;
  onBatchBegin?: Hook<[batch: number, logs: Logs]>;
  onBatchEnd?: Hook<[batch: number, logs: Logs]>;
  onTrainBegin?: Hook<[logs: Logs]>;
  onTrainEnd?: Hook<[logs: Logs]>;
}

const HOOKS = ['onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onTrainBegin', 'onTrainEnd'] as const;

export class LambdaCallback extends Callback<never> {
  constructor(options: LambdaCallbackOptions = {}) {
    super();
    for (const key of Object.keys(options)) {
      if (!(HOOKS as readonly string[]).includes(key)) throw new Error(`LambdaCallback: unknown option '${key}'; expected one of ${HOOKS.join(', ')}`);
    }
    for (const hook of HOOKS) {
      const fn = options[hook];
      if (fn === undefined) continue;
      if (typeof fn !== 'function') throw new Error(`LambdaCallback: '${hook}' must be a function, got ${typeof fn}`);
      // An own property shadows the base no-op, exactly as Keras assigns `self.on_epoch_end = fn`.
      (this as unknown as Record<string, unknown>)[hook] = fn;
    }
  }
}

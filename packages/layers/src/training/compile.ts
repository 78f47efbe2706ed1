/** Resolving `compile({ optimizer, loss, metrics })` to objects, as Keras' compile does. */
import { get as getOptimizer, Optimizer } from '@minikeras/optimizers';
import type { OptimizerName } from '@minikeras/optimizers';
import { getLoss, getMetric, Loss, Mean, Metric } from '@minikeras/losses';
import type { LossName, MetricName } from '@minikeras/losses';
import type { Tensor } from '@minikeras/tensor';

export type OptimizerIdentifier = OptimizerName | Optimizer;
export type LossIdentifier = LossName | Loss | ((yTrue: Tensor, yPred: Tensor) => Tensor);
export type MetricIdentifier = MetricName | Metric;

export interface CompileArgs<M extends MetricIdentifier = MetricIdentifier> {
  /** Default 'rmsprop', as in Keras. */
  optimizer?: OptimizerIdentifier;
  loss: LossIdentifier;
  metrics?: readonly M[];
}

/** The log name a metric identifier produces: the string itself, or `string` for an instance. */
export type MetricLogName<M> = M extends string ? M : string;
/** Every key `fit` can log for these metrics: loss, the metrics, and their `val_` twins. */
export type LogKey<M> = 'loss' | MetricLogName<M> | `val_${'loss' | MetricLogName<M>}`;

export interface CompiledState {
  optimizer: Optimizer;
  loss: Loss;
  metrics: Metric[];
  lossTracker: Mean;
}

export function resolveCompileArgs(args: CompileArgs, owner: string): CompiledState {
  if (!args || typeof args !== 'object') throw new Error(`${owner}.compile: expected an options object { optimizer, loss, metrics }`);
  for (const key of Object.keys(args)) {
    if (!['optimizer', 'loss', 'metrics'].includes(key)) {
      throw new Error(`${owner}.compile: unknown option '${key}'; valid options are optimizer, loss, metrics`);
    }
  }
  if (args.loss === undefined) throw new Error(`${owner}.compile: a loss is required, e.g. compile({ optimizer: 'adam', loss: 'mse' })`);
  const optimizer = getOptimizer(args.optimizer ?? 'rmsprop');
  const loss = getLoss(args.loss);
  const metrics = (args.metrics ?? []).map((m) => getMetric(m, { loss: args.loss }));
  const names = new Set<string>(['loss']);
  for (const m of metrics) {
    if (names.has(m.name)) throw new Error(`${owner}.compile: two metrics are named '${m.name}'; give each a distinct name`);
    names.add(m.name);
  }
  return { optimizer, loss, metrics, lossTracker: new Mean({ name: 'loss' }) };
}

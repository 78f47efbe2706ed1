/** Resolving `compile({ optimizer, loss, metrics })` to objects, as Keras' compile does. */
import { get as getOptimizer, Optimizer } from '@minikeras/optimizers';
import type { OptimizerName } from '@minikeras/optimizers';
import { getLoss, getMetric, Loss, Mean, Metric } from '@minikeras/losses';
import type { LossName, MetricName } from '@minikeras/losses';
import type { Tensor } from '@minikeras/tensor';
import type { CompiledDenseStep } from './compiled-step';

export type OptimizerIdentifier = OptimizerName | Optimizer;
export type LossIdentifier = LossName | Loss | ((yTrue: Tensor, yPred: Tensor) => Tensor);
export type MetricIdentifier = MetricName | Metric;

export interface CompileArgs<M extends MetricIdentifier = MetricIdentifier> {
  /** Default 'rmsprop', as in Keras. */
  optimizer?: OptimizerIdentifier;
  loss: LossIdentifier;
  metrics?: readonly M[];
  /**
   * Keras' `jit_compile`. `'auto'` (default) trains a stack of Dense layers with a supported activation and
   * loss through a compiled step (planned once, no per-op tensors or graph; same numbers as the general path)
   * and everything else through autograd; `true` requires the compiled step and throws, naming the layer or
   * loss, when it cannot be used; `false` always uses autograd.
   */
  jitCompile?: boolean | 'auto';
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
  jitCompile: boolean | 'auto';
  /** @internal The compiled step in use (see compiled-step.ts), planned at the first train step. */
  compiledStep: CompiledDenseStep | null;
}

export function resolveCompileArgs(args: CompileArgs, owner: string): CompiledState {
  if (!args || typeof args !== 'object') throw new Error(`${owner}.compile: expected an options object { optimizer, loss, metrics }`);
  for (const key of Object.keys(args)) {
    if (!['optimizer', 'loss', 'metrics', 'jitCompile'].includes(key)) {
      throw new Error(`${owner}.compile: unknown option '${key}'; valid options are optimizer, loss, metrics, jitCompile`);
    }
  }
  if (args.loss === undefined) throw new Error(`${owner}.compile: a loss is required, e.g. compile({ optimizer: 'adam', loss: 'mse' })`);
  const jitCompile = args.jitCompile ?? 'auto';
  if (jitCompile !== true && jitCompile !== false && jitCompile !== 'auto') {
    throw new Error(`${owner}.compile: jitCompile must be true, false or 'auto', got ${JSON.stringify(jitCompile)}`);
  }
  const optimizer = getOptimizer(args.optimizer ?? 'rmsprop');
  const loss = getLoss(args.loss);
  const metrics = (args.metrics ?? []).map((m) => getMetric(m, { loss: args.loss }));
  const names = new Set<string>(['loss']);
  for (const m of metrics) {
    if (names.has(m.name)) throw new Error(`${owner}.compile: two metrics are named '${m.name}'; give each a distinct name`);
    names.add(m.name);
  }
  return { optimizer, loss, metrics, lossTracker: new Mean({ name: 'loss' }), jitCompile, compiledStep: null };
}

/**
 * Resolving `compile({ optimizer, loss, lossWeights, metrics })` to objects, as Keras' compile does, for any
 * number of outputs: a loss (or list of metrics) for every output, a list by output position, or a record by
 * output name. Log names follow Keras 3: 'loss' and 'accuracy' for one output; with several, 'loss' is the
 * weighted total and each output adds '<output>_loss' and '<output>_<metric>'.
 */
import { get as getOptimizer, Optimizer } from '@minikeras/optimizers';
import type { OptimizerName } from '@minikeras/optimizers';
import { getLoss, getMetric, Loss, Mean, Metric } from '@minikeras/losses';
import type { LossName, MetricName } from '@minikeras/losses';
import type { Tensor } from '@minikeras/tensor';
import type { CompiledDenseStep } from './compiled-step';
import { didYouMean } from '../activations';

/** An optimizer given by Keras name (`'adam'`) or as an instance. */
export type OptimizerIdentifier = OptimizerName | Optimizer;
/** A loss given by Keras name, as a Loss instance, or as a per-sample function `(yTrue, yPred) => Tensor`. */
export type LossIdentifier = LossName | Loss | ((yTrue: Tensor, yPred: Tensor) => Tensor);
/** A metric given by Keras name (`'accuracy'`, `'mae'`, ...) or as a Metric instance. */
export type MetricIdentifier = MetricName | Metric;

/**
 * Options of `model.compile` (Keras 3 `keras.Model.compile`'s options, camelCased). `M` are the metrics
 * and `O` the output names, which type the model's log keys.
 */
export interface CompileArgs<M extends MetricIdentifier = MetricIdentifier, O extends string = string> {
  /** Default 'rmsprop', as in Keras. */
  optimizer?: OptimizerIdentifier;
  /**
   * One loss for every output, a list by output position, or a record by output name (outputs left out of
   * the record are not trained by a loss of their own).
   */
  loss: LossIdentifier | readonly (LossIdentifier | null)[] | { readonly [P in O]?: LossIdentifier | null };
  /** Weights of the outputs' losses in the total: a list by output position or a record by output name. */
  lossWeights?: readonly number[] | { readonly [P in O]?: number };
  /**
   * Metrics: a list (one output), a list of lists by output position, or a record of lists by output name.
   */
  metrics?: readonly M[] | readonly (readonly M[])[] | { readonly [P in O]?: readonly M[] };
  /**
   * Keras' `jit_compile`. `'auto'` (default) trains a Sequential stack of Dense layers with a supported
   * activation and loss through a compiled step (planned once, no per-op tensors or graph; same numbers as the
   * general path) and everything else through autograd; `true` requires the compiled step and throws, naming
   * the layer or loss, when it cannot be used; `false` always uses autograd.
   */
  jitCompile?: boolean | 'auto';
}

/** `compile` options with metrics as one flat list (a model with one output). */
export type FlatCompileArgs<M extends MetricIdentifier> = Omit<CompileArgs<M, string>, 'metrics'> & { metrics?: readonly M[] };

/** The log name a metric identifier produces: the string itself, or `string` for an instance. */
export type MetricLogName<M> = M extends string ? M : string;
/** Every key `fit` can log for these metrics: loss, the metrics, and their `val_` twins. */
export type LogKey<M> = 'loss' | MetricLogName<M> | `val_${'loss' | MetricLogName<M>}`;
/** Log keys of a multi-output model whose metrics or losses are given by output name. */
export type OutputLogKey<O extends string, M> = `${O}_${'loss' | MetricLogName<M>}` | `val_${O}_${'loss' | MetricLogName<M>}`;
/** The log keys `compile` types a model with: metrics M, outputs named O (when given by name). */
export type CompiledLogKey<M, O extends string> = LogKey<M> | ([O] extends [never] ? never : OutputLogKey<O, M>);

/** What one model output is trained and measured with. */
export interface OutputTarget {
  name: string;
  loss: Loss | null;
  /** Whether the loss was given by name ('mse'); Keras' compile config keeps an object given as an object. */
  lossByName: boolean;
  weight: number;
  metrics: Metric[];
  /** The output's own loss (unweighted, as Keras 3 logs it), '<name>_loss' when the model has several outputs. */
  lossTracker: Mean | null;
}

export interface CompiledState {
  optimizer: Optimizer;
  outputs: OutputTarget[];
  /** The total loss (weighted sum over outputs, plus penalties). */
  lossTracker: Mean;
  jitCompile: boolean | 'auto';
  /** @internal The compiled step in use (see compiled-step.ts), planned at the first train step. */
  compiledStep: CompiledDenseStep | null;
  /** The loss of a single-output model (the compiled step and saving look at it). */
  readonly loss: Loss;
  /** Every metric, in log order. */
  readonly metrics: Metric[];
}

const COMPILE_KEYS = ['optimizer', 'loss', 'lossWeights', 'metrics', 'jitCompile'];

function isRecordArg(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** A per-output value from one value for all, a list by position or a record by name. */
function perOutput<T>(value: unknown, outputNames: readonly string[], owner: string, option: string, isSingle: (v: unknown) => boolean, missing: T): (T | unknown)[] {
  if (value === undefined) return outputNames.map(() => missing);
  if (isSingle(value)) return outputNames.map(() => value);
  if (Array.isArray(value)) {
    if (value.length !== outputNames.length) {
      throw new Error(`${owner}.compile: ${option} is a list of ${value.length}, but the model has ${outputNames.length} output${outputNames.length === 1 ? '' : 's'} (${outputNames.join(', ')})`);
    }
    return value;
  }
  if (isRecordArg(value)) {
    for (const key of Object.keys(value)) {
      if (!outputNames.includes(key)) throw new Error(`${owner}.compile: ${option} names an output '${key}'${didYouMean(key, outputNames)}; the model's outputs are ${outputNames.join(', ')}`);
    }
    return outputNames.map((n) => (Object.hasOwn(value, n) ? value[n] : missing));
  }
  throw new Error(`${owner}.compile: ${option} must be ${option === 'lossWeights' ? 'a list or a record of numbers' : 'a value, a list by output or a record by output name'}, got ${JSON.stringify(value)}`);
}

const isLossSingle = (v: unknown) => typeof v === 'string' || typeof v === 'function' || v instanceof Loss;

export function resolveCompileArgs(args: CompileArgs, owner: string, outputNames: readonly string[]): CompiledState {
  if (!args || typeof args !== 'object') throw new Error(`${owner}.compile: expected an options object { optimizer, loss, metrics }`);
  for (const key of Object.keys(args)) {
    if (!COMPILE_KEYS.includes(key)) throw new Error(`${owner}.compile: unknown option '${key}'${didYouMean(key, COMPILE_KEYS)}; valid options are ${COMPILE_KEYS.join(', ')}`);
  }
  if (args.loss === undefined || args.loss === null) throw new Error(`${owner}.compile: a loss is required, e.g. compile({ optimizer: 'adam', loss: 'mse' })`);
  const jitCompile = args.jitCompile ?? 'auto';
  if (jitCompile !== true && jitCompile !== false && jitCompile !== 'auto') {
    throw new Error(`${owner}.compile: jitCompile must be true, false or 'auto', got ${JSON.stringify(jitCompile)}`);
  }
  const optimizer = getOptimizer(args.optimizer ?? 'rmsprop');
  const losses = perOutput(args.loss, outputNames, owner, 'loss', isLossSingle, null);
  const weights = perOutput(args.lossWeights, outputNames, owner, 'lossWeights', () => false, 1);
  const single = outputNames.length === 1;
  let metricLists: unknown[];
  if (args.metrics === undefined) metricLists = outputNames.map(() => []);
  else if (Array.isArray(args.metrics) && (single || args.metrics.length === 0) && !args.metrics.some(Array.isArray)) metricLists = [args.metrics];
  else if (Array.isArray(args.metrics) && !args.metrics.every(Array.isArray)) {
    throw new Error(`${owner}.compile: the model has ${outputNames.length} outputs (${outputNames.join(', ')}); give metrics as a record by output name or a list of lists by output position`);
  } else metricLists = perOutput(args.metrics, outputNames, owner, 'metrics', () => false, []);
  const outputs: OutputTarget[] = outputNames.map((name, i) => {
    const lossId = losses[i] as LossIdentifier | null;
    const weight = weights[i];
    if (typeof weight !== 'number' || !Number.isFinite(weight)) throw new Error(`${owner}.compile: lossWeights for output '${name}' must be a finite number, got ${JSON.stringify(weight)}`);
    const list = metricLists[i] ?? [];
    if (!Array.isArray(list)) throw new Error(`${owner}.compile: metrics for output '${name}' must be a list, got ${JSON.stringify(list)}`);
    const metrics = (list as MetricIdentifier[]).map((m) => {
      const metric = getMetric(m, { loss: lossId ?? undefined });
      if (!single) metric.name = `${name}_${metric.name}`;
      return metric;
    });
    return {
      name,
      loss: lossId === null || lossId === undefined ? null : getLoss(lossId),
      lossByName: typeof lossId === 'string',
      weight,
      metrics,
      lossTracker: single ? null : new Mean({ name: `${name}_loss` }),
    };
  });
  if (outputs.every((o) => o.loss === null)) throw new Error(`${owner}.compile: no output has a loss; give a loss for at least one of ${outputNames.join(', ')}`);
  const names = new Set<string>(['loss']);
  for (const o of outputs) {
    for (const m of [...(o.lossTracker ? [o.lossTracker] : []), ...o.metrics]) {
      if (names.has(m.name)) throw new Error(`${owner}.compile: two metrics are named '${m.name}'; give each a distinct name`);
      names.add(m.name);
    }
  }
  const metrics = outputs.flatMap((o) => o.metrics);
  return {
    optimizer, outputs, lossTracker: new Mean({ name: 'loss' }), jitCompile, compiledStep: null, metrics,
    get loss(): Loss {
      const l = outputs[0]!.loss;
      if (outputs.length !== 1 || !l) throw new Error(`${owner}: the model has ${outputs.length} outputs; there is one loss per output`);
      return l;
    },
  };
}

/** Every tracker whose value is logged, in metric order: per-output losses, then metrics. */
export function loggedTrackers(compiled: CompiledState): Metric[] {
  const out: Metric[] = [];
  for (const o of compiled.outputs) if (o.lossTracker && o.loss) out.push(o.lossTracker);
  for (const o of compiled.outputs) for (const m of o.metrics) out.push(m);
  return out;
}

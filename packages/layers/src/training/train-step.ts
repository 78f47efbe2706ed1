/**
 * One optimization step and one evaluation step: synchronous, no callbacks, testable alone.
 * `fit`, `trainOnBatch`, `evaluate` and `testOnBatch` all go through these two functions.
 */
import { add, noGrad, variableGrads } from '@minikeras/tensor';
import type { Tensor, Variable } from '@minikeras/tensor';
import type { CallContext, Layer } from '../layer';
import type { CompiledState } from './compile';
import { CompiledDenseStep } from './compiled-step';

export interface SteppableModel {
  call(x: Tensor, ctx: CallContext): Tensor;
  readonly trainableWeights: Variable[];
  regularizationLosses(): Tensor[];
  /** A model with layers can train through the compiled step; its label names it in errors. */
  readonly layers?: readonly Layer[];
  readonly name?: string;
}

function totalLoss(model: SteppableModel, compiled: CompiledState, x: Tensor, y: Tensor, sampleWeight: Tensor | undefined, training: boolean): { loss: Tensor; yPred: Tensor } {
  const yPred = model.call(x, { training });
  let loss = compiled.loss.compute(y, yPred, sampleWeight);
  for (const penalty of model.regularizationLosses()) loss = add(loss, penalty);
  return { loss, yPred };
}

function updateMetrics(compiled: CompiledState, loss: number, batchSize: number, y: Tensor, yPred: Tensor, sampleWeight: Tensor | undefined): void {
  // Keras weights the running loss by batch size, so an epoch's loss is the per-sample mean.
  compiled.lossTracker.updateState(loss, batchSize);
  if (compiled.metrics.length === 0) return;
  noGrad(() => {
    for (const m of compiled.metrics) m.updateState(y, yPred, sampleWeight);
  });
}

/**
 * The compiled step for this model and batch, or null for the autograd path. Plans once per compile and
 * again when the layers change; a model it cannot plan re-checks each step (a few property reads, stopping at
 * the first unsupported layer). With `jitCompile: true` anything unsupported is an error.
 */
function compiledStepFor(model: SteppableModel, compiled: CompiledState, x: Tensor, y: Tensor, sampleWeight: Tensor | undefined): CompiledDenseStep | null {
  if (compiled.jitCompile === false || !model.layers) return null;
  if (sampleWeight !== undefined) return notCompiled(model, compiled, 'sample and class weights are not supported');
  let step = compiled.compiledStep;
  if (!step || !step.matches(model.layers)) {
    const plan = CompiledDenseStep.plan(model.layers, compiled.loss);
    if (!(plan instanceof CompiledDenseStep)) {
      compiled.compiledStep = null;
      return notCompiled(model, compiled, plan.reason);
    }
    compiled.compiledStep = step = plan;
  }
  const rejected = step.rejects(x, y);
  return rejected ? notCompiled(model, compiled, rejected) : step;
}

/** The autograd path under `jitCompile: 'auto'`; an error naming `why` under `jitCompile: true`. */
function notCompiled(model: SteppableModel, compiled: CompiledState, why: string): null {
  if (compiled.jitCompile === true) {
    throw new Error(`Sequential '${model.name ?? ''}': jitCompile: true cannot compile the train step: ${why}; compile with jitCompile: 'auto' to fall back to the autograd step`);
  }
  return null;
}

export function trainStep(model: SteppableModel, compiled: CompiledState, x: Tensor, y: Tensor, sampleWeight?: Tensor): number {
  const step = compiledStepFor(model, compiled, x, y, sampleWeight);
  if (step) {
    const loss = step.run(x, y);
    compiled.optimizer.applyGradients(step.pairs);
    updateMetrics(compiled, loss, x.shape[0]!, y, step.prediction, undefined);
    return loss;
  }
  const vars = model.trainableWeights;
  let yPred: Tensor | null = null;
  const { value, grads } = variableGrads(() => {
    const r = totalLoss(model, compiled, x, y, sampleWeight, true);
    yPred = r.yPred;
    return r.loss;
  }, vars);
  const pairs: [Tensor, Variable][] = [];
  for (const v of vars) {
    const g = grads.get(v);
    if (g) pairs.push([g, v]);
  }
  compiled.optimizer.applyGradients(pairs);
  const loss = value.values[0]!;
  updateMetrics(compiled, loss, x.shape[0]!, y, yPred!, sampleWeight);
  return loss;
}

export function testStep(model: SteppableModel, compiled: CompiledState, x: Tensor, y: Tensor, sampleWeight?: Tensor): number {
  return noGrad(() => {
    const { loss, yPred } = totalLoss(model, compiled, x, y, sampleWeight, false);
    const value = loss.values[0]!;
    updateMetrics(compiled, value, x.shape[0]!, y, yPred, sampleWeight);
    return value;
  });
}

/** Current values of the loss tracker and metrics, keys sorted as Keras' pythonify_logs does. */
export function collectLogs(compiled: CompiledState, prefix = ''): Record<string, number> {
  const entries: [string, number][] = [[`${prefix}loss`, compiled.lossTracker.result()]];
  for (const m of compiled.metrics) entries.push([`${prefix}${m.name}`, m.result()]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(entries);
}

export function resetMetrics(compiled: CompiledState): void {
  compiled.lossTracker.resetState();
  for (const m of compiled.metrics) m.resetState();
}

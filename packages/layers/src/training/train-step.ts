/**
 * One optimization step and one evaluation step: synchronous, no callbacks, testable alone.
 * `fit`, `trainOnBatch`, `evaluate` and `testOnBatch` all go through these two functions.
 */
import { add, noGrad, variableGrads } from '@minikeras/tensor';
import type { Tensor, Variable } from '@minikeras/tensor';
import type { CallContext } from '../layer';
import type { CompiledState } from './compile';

export interface SteppableModel {
  call(x: Tensor, ctx: CallContext): Tensor;
  readonly trainableWeights: Variable[];
  regularizationLosses(): Tensor[];
}

function totalLoss(model: SteppableModel, compiled: CompiledState, x: Tensor, y: Tensor, sampleWeight: Tensor | undefined, training: boolean): { loss: Tensor; yPred: Tensor } {
  const yPred = model.call(x, { training });
  let loss = compiled.loss.compute(y, yPred, sampleWeight);
  for (const penalty of model.regularizationLosses()) loss = add(loss, penalty);
  return { loss, yPred };
}

function updateMetrics(compiled: CompiledState, loss: number, batchSize: number, y: Tensor, yPred: Tensor, sampleWeight: Tensor | undefined): void {
  noGrad(() => {
    // Keras weights the running loss by batch size, so an epoch's loss is the per-sample mean.
    compiled.lossTracker.updateState(loss, batchSize);
    for (const m of compiled.metrics) m.updateState(y, yPred, sampleWeight);
  });
}

export function trainStep(model: SteppableModel, compiled: CompiledState, x: Tensor, y: Tensor, sampleWeight?: Tensor): number {
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

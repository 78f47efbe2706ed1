/**
 * One optimization step and one evaluation step: synchronous, no callbacks, testable alone.
 * `fit`, `trainOnBatch`, `evaluate` and `testOnBatch` all go through these two functions. A batch is the
 * model's inputs (as the model takes them) and one target per output.
 */
import { Tensor, add, mul, noGrad, variableGrads } from '@minikeras/tensor';
import type { Variable } from '@minikeras/tensor';
import type { CallContext, Layer } from '../engine/layer';
import { flatten } from '../engine/structure';
import { getMask } from '../engine/mask';
import type { Nested } from '../engine/structure';
import type { CompiledState } from './compile';
import { loggedTrackers } from './compile';
import { CompiledDenseStep } from './compiled-step';

export interface SteppableModel {
  call(inputs: Nested<Tensor>, ctx: CallContext): Nested<Tensor>;
  readonly trainableWeights: Variable[];
  regularizationLosses(): Tensor[];
  readonly name: string;
  /** The layers the compiled Dense step may run, or null when the model must take autograd. */
  compiledStepLayers(): readonly Layer[] | null;
}

const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;

/** A batch: the model's inputs, one target per output, optional per-sample weights. */
export interface StepBatch {
  x: Nested<Tensor>;
  ys: readonly Tensor[];
  sampleWeight?: Tensor | undefined;
}

/** The model outputs of one call, one tensor per output, checked against the targets. */
function outputsOf(model: SteppableModel, compiled: CompiledState, pred: Nested<Tensor>): Tensor[] {
  const preds = pred instanceof Tensor ? [pred] : flatten(pred, isTensor);
  if (preds.length !== compiled.outputs.length) {
    throw new Error(`Model '${model.name}': the model returned ${preds.length} outputs, but it was compiled for ${compiled.outputs.length} (${compiled.outputs.map((o) => o.name).join(', ')})`);
  }
  return preds;
}

interface Forward {
  loss: Tensor;
  preds: Tensor[];
  /** Each output's (unweighted) loss (null where the output has no loss). */
  perOutput: (Tensor | null)[];
}

function forward(model: SteppableModel, compiled: CompiledState, batch: StepBatch, training: boolean): Forward {
  const preds = outputsOf(model, compiled, model.call(batch.x, { training }));
  let loss: Tensor | null = null;
  const perOutput = compiled.outputs.map((o, i) => {
    if (!o.loss) return null;
    // Keras 3's Loss reads the mask riding with y_pred (an Embedding with maskZero, Masking, a recurrent
    // layer returning sequences): masked entries get weight 0 and the mean runs over the unmasked ones.
    const value = o.loss.compute(batch.ys[i]!, preds[i]!, batch.sampleWeight, getMask(preds[i]!));
    const weighted = o.weight === 1 ? value : mul(value, o.weight);
    loss = loss ? add(loss, weighted) : weighted;
    // Keras 3 logs each output's loss unweighted; 'loss' is the weighted total.
    return value;
  });
  for (const penalty of model.regularizationLosses()) loss = add(loss!, penalty);
  return { loss: loss!, preds, perOutput };
}

function updateMetrics(compiled: CompiledState, loss: number, batch: StepBatch, preds: readonly Tensor[], perOutput: readonly (Tensor | null)[] | null): void {
  // Keras weights the running loss by batch size, so an epoch's loss is the per-sample mean.
  const rows = batch.ys[0]!.shape[0]!;
  compiled.lossTracker.updateState(loss, rows);
  if (compiled.metrics.length === 0 && compiled.outputs.length === 1) return;
  noGrad(() => {
    compiled.outputs.forEach((o, i) => {
      const value = perOutput?.[i];
      if (o.lossTracker && value) o.lossTracker.updateState(value.values[0]!, rows);
      const mask = getMask(preds[i]!);
      for (const m of o.metrics) m.updateState(batch.ys[i]!, preds[i]!, batch.sampleWeight, mask);
    });
  });
}

/**
 * The compiled step for this model and batch, or null for the autograd path. Plans once per compile and
 * again when the layers change; a model it cannot plan re-checks each step (a few property reads, stopping at
 * the first unsupported layer). With `jitCompile: true` anything unsupported is an error.
 */
function compiledStepFor(model: SteppableModel, compiled: CompiledState, batch: StepBatch): CompiledDenseStep | null {
  if (compiled.jitCompile === false) return null;
  const layers = model.compiledStepLayers();
  if (!layers) return notCompiled(model, compiled, 'only a Sequential model (not a subclass) of Dense layers can be compiled');
  if (batch.sampleWeight !== undefined) return notCompiled(model, compiled, 'sample and class weights are not supported');
  if (!(batch.x instanceof Tensor)) return notCompiled(model, compiled, 'the model has several inputs');
  let step = compiled.compiledStep;
  if (!step || !step.matches(layers)) {
    const plan = CompiledDenseStep.plan(layers, compiled.loss);
    if (!(plan instanceof CompiledDenseStep)) {
      compiled.compiledStep = null;
      return notCompiled(model, compiled, plan.reason);
    }
    compiled.compiledStep = step = plan;
  }
  const rejected = step.rejects(batch.x, batch.ys[0]!);
  return rejected ? notCompiled(model, compiled, rejected) : step;
}

/** The autograd path under `jitCompile: 'auto'`; an error naming `why` under `jitCompile: true`. */
function notCompiled(model: SteppableModel, compiled: CompiledState, why: string): null {
  if (compiled.jitCompile === true) {
    throw new Error(`Model '${model.name}': jitCompile: true cannot compile the train step: ${why}; compile with jitCompile: 'auto' to fall back to the autograd step`);
  }
  return null;
}

export function trainStep(model: SteppableModel, compiled: CompiledState, batch: StepBatch): number {
  const step = compiledStepFor(model, compiled, batch);
  if (step) {
    const loss = step.run(batch.x as Tensor, batch.ys[0]!);
    compiled.optimizer.applyGradients(step.pairs);
    updateMetrics(compiled, loss, batch, [step.prediction], null);
    return loss;
  }
  const vars = model.trainableWeights;
  let result: Forward | null = null;
  const { value, grads } = variableGrads(() => {
    result = forward(model, compiled, batch, true);
    return result.loss;
  }, vars);
  const pairs: [Tensor, Variable][] = [];
  for (const v of vars) {
    const g = grads.get(v);
    if (g) pairs.push([g, v]);
  }
  compiled.optimizer.applyGradients(pairs);
  const loss = value.values[0]!;
  const r = result as unknown as Forward;
  updateMetrics(compiled, loss, batch, r.preds, r.perOutput);
  return loss;
}

export function testStep(model: SteppableModel, compiled: CompiledState, batch: StepBatch): number {
  return noGrad(() => {
    const { loss, preds, perOutput } = forward(model, compiled, batch, false);
    const value = loss.values[0]!;
    updateMetrics(compiled, value, batch, preds, perOutput);
    return value;
  });
}

/** Current values of the loss tracker and metrics, keys sorted as Keras' pythonify_logs does. */
export function collectLogs(compiled: CompiledState, prefix = ''): Record<string, number> {
  const entries: [string, number][] = [[`${prefix}loss`, compiled.lossTracker.result()]];
  for (const m of loggedTrackers(compiled)) entries.push([`${prefix}${m.name}`, m.result()]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(entries);
}

export function resetMetrics(compiled: CompiledState): void {
  compiled.lossTracker.resetState();
  for (const m of loggedTrackers(compiled)) m.resetState();
}

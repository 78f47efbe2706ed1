/**
 * The compiled training step: Keras' `jit_compile` for the models where per-op framework cost dominates.
 *
 * For a Sequential stack of Dense layers with a supported activation, loss and no penalties, the step is
 * planned once and then runs as a fixed list of kernel calls over buffers it owns: no Tensor, graph node or
 * closure per op, and no allocation in the steady state. It calls exactly the kernels the general path calls
 * (matmul, bias add, activation and its gradient, the fused crossentropy kernels), in the same order, so both
 * paths give the same numbers; the optimizer, metrics and callbacks are shared. Anything else (other layers,
 * regularizers, sample weights, labels that need aligning) takes the general autograd path.
 */
import { Tensor, formatShape, kernels } from '@minikeras/tensor';
import type { UnaryOp, Variable } from '@minikeras/tensor';
import { BinaryCrossentropy, CategoricalCrossentropy, EPSILON, MeanSquaredError } from '@minikeras/losses';
import type { Loss } from '@minikeras/losses';
import type { Layer } from '../engine/layer';
import { Dense } from '../layers/dense';
import { InputLayer } from '../layers/core';
import { ACTIVATIONS, getActivation } from '../activations';

type ActivationKind = { kind: 'linear' } | { kind: 'unary'; op: UnaryOp } | { kind: 'softmax' };
type LossKind = 'sigmoidBce' | 'softmaxCce' | 'mse';

/** Keras activation names the plan runs with the element-wise kernels, and the kernel op of each. */
const UNARY_ACTIVATIONS: Partial<Record<keyof typeof ACTIVATIONS, UnaryOp>> = {
  relu: 'relu', relu6: 'relu6', selu: 'selu', gelu: 'gelu', sigmoid: 'sigmoid', hard_sigmoid: 'hardSigmoid',
  tanh: 'tanh', softplus: 'softplus', softsign: 'softsign', swish: 'swish', silu: 'swish', exponential: 'exp',
};

interface Stage {
  layer: Dense;
  inputDim: number;
  units: number;
  activation: ActivationKind;
}

/** Per batch size: activations and their gradients, `rows` rows each. */
interface RowBuffers {
  rows: number;
  /** Pre-activation (x·W + b) of each stage. */
  z: Float32Array[];
  /** Output of each stage (the same array as `z` for a linear activation). */
  a: Float32Array[];
  /** d loss / d z of each stage. */
  dz: Float32Array[];
  /** d loss / d a of each stage but the last (the same array as `dz` for a linear activation). */
  da: Float32Array[];
  perRow: Float32Array;
  /** d loss / d per-row loss: 1/rows (or 1 for a 'sum' reduction). */
  dRow: Float32Array;
  /** The model output as a Tensor, for the metrics. */
  yPred: Tensor;
}

export interface PlanFailure {
  reason: string;
}

export class CompiledDenseStep {
  private readonly buffers = new Map<number, RowBuffers>();
  private lastBuffers: RowBuffers | null = null;
  /** [gradient, weight] in `trainableWeights` order, for the optimizer; the gradients are allocated once. */
  readonly pairs: [Tensor, Variable][] = [];

  private constructor(
    private readonly layers: readonly Layer[],
    private readonly stages: readonly Stage[],
    private readonly lossKind: LossKind,
    private readonly divideByRows: boolean,
  ) {
    for (const s of stages) {
      for (const v of [s.layer.kernel, s.layer.bias]) {
        if (!v) continue;
        this.pairs.push([new Tensor(new Float32Array(v.size), v.shape), v]);
      }
    }
  }

  /** A plan for these layers and this loss, or why there is none (for `jitCompile: true`'s error). */
  static plan(layers: readonly Layer[], loss: Loss): CompiledDenseStep | PlanFailure {
    const stages: Stage[] = [];
    for (const layer of layers) {
      if (layer instanceof InputLayer) continue;
      const what = `layer '${layer.name}' (${layer.className})`;
      if (!(layer instanceof Dense)) return { reason: `${what} is not a Dense layer` };
      // Exactly Dense: a subclass may change call(), which the plan would not see.
      if ((layer.constructor as unknown) !== Dense) return { reason: `${what} is a subclass of Dense` };
      if (!layer.built || !layer.kernel) return { reason: `${what} is not built` };
      if (layer.hasRegularizers) return { reason: `${what} has a weight regularizer` };
      if (!layer.kernel.trainable || (layer.bias && !layer.bias.trainable)) return { reason: `${what} is not trainable` };
      const activation = activationKind(layer);
      if (!activation) return { reason: `${what} has an activation the compiled step does not run (${String(layer.activation)})` };
      stages.push({ layer, inputDim: layer.kernel.shape[0]!, units: layer.units, activation });
    }
    if (stages.length === 0) return { reason: 'the model has no Dense layer' };
    const last = stages[stages.length - 1]!.activation;
    const lossKind = planLoss(loss, last);
    if (typeof lossKind !== 'string') return lossKind;
    if (loss.reduction === 'none') return { reason: `the loss has reduction 'none'` };
    return new CompiledDenseStep(layers, stages, lossKind, loss.reduction !== 'sum');
  }

  /** Whether the model still has the layers and trainable weights this plan was made for. */
  matches(layers: readonly Layer[]): boolean {
    if (layers.length !== this.layers.length) return false;
    for (let i = 0; i < layers.length; i++) if (layers[i] !== this.layers[i]) return false;
    let j = 0;
    for (const s of this.stages) {
      const { kernel, bias } = s.layer;
      if (kernel !== this.pairs[j]![1] || !kernel.trainable) return false;
      j++;
      if (bias) {
        if (bias !== this.pairs[j]![1] || !bias.trainable) return false;
        j++;
      }
    }
    return true;
  }

  /** Why this batch cannot take the compiled step, or null: it needs float32 [rows, features] inputs and labels of the output's exact shape. */
  rejects(x: Tensor, y: Tensor): string | null {
    const rows = x.shape[0]!;
    const inputDim = this.stages[0]!.inputDim, out = this.stages[this.stages.length - 1]!.units;
    const ok = x.rank === 2 && rows > 0 && x.shape[1] === inputDim && x.dtype === 'float32'
      && y.rank === 2 && y.shape[0] === rows && y.shape[1] === out && y.dtype === 'float32';
    return ok ? null : `the batch must be float32 inputs of shape [rows, ${inputDim}] and float32 labels of shape [rows, ${out}], got ${x.dtype} ${formatShape(x.shape)} and ${y.dtype} ${formatShape(y.shape)}`;
  }

  /** The model output of the last `run`, for the metrics (a view of the step's buffer). */
  get prediction(): Tensor {
    return this.lastBuffers!.yPred;
  }

  /**
   * Forward, loss and backward for one batch: fills the gradients in `pairs` and returns the loss. The caller
   * applies the gradients.
   */
  run(x: Tensor, y: Tensor): number {
    const k = kernels();
    const rows = x.shape[0]!;
    const b = this.rowBuffers(rows);
    const stages = this.stages;
    const last = stages.length - 1;

    let input = x.values as Float32Array;
    for (let i = 0; i <= last; i++) {
      const s = stages[i]!, z = b.z[i]!, a = b.a[i]!;
      k.matmul(input, s.layer.kernel!.values, z, rows, s.inputDim, s.units, false, false, 0, 0, 0);
      if (s.layer.bias) k.addBiasRows(z, s.layer.bias.values, rows, s.units);
      const act = s.activation;
      if (act.kind === 'unary') k.unary(act.op, z, a);
      else if (act.kind === 'softmax') k.softmax(z, rows, s.units, a);
      input = a;
    }

    const n = stages[last]!.units, p = b.a[last]!, t = y.values;
    const dzLast = b.dz[last]!;
    if (this.lossKind === 'sigmoidBce') {
      k.sigmoidBceLoss(p, t, rows, n, EPSILON, b.perRow);
      k.sigmoidBceGrad(p, t, b.dRow, rows, n, EPSILON, dzLast);
    } else if (this.lossKind === 'softmaxCce') {
      k.softmaxCceLoss(p, t, rows, n, EPSILON, b.perRow);
      k.softmaxCceGrad(p, t, b.dRow, rows, n, EPSILON, dzLast);
    } else {
      k.squaredErrorLoss(p, t, rows, n, b.perRow);
      const act = stages[last]!.activation;
      // The gradient lands on the output; a non-linear output then takes its activation's gradient.
      const dOut = act.kind === 'linear' ? dzLast : b.da[last]!;
      k.squaredErrorGrad(p, t, b.dRow, rows, n, dOut);
      if (act.kind === 'unary') k.unaryGrad(act.op, b.z[last]!, p, dOut, dzLast);
      else if (act.kind === 'softmax') k.softmaxGrad(p, dOut, rows, n, dzLast);
    }

    let g = this.pairs.length;
    for (let i = last; i >= 0; i--) {
      const s = stages[i]!, dz = b.dz[i]!;
      const prev = i === 0 ? (x.values as Float32Array) : b.a[i - 1]!;
      if (s.layer.bias) k.sumRows(dz, rows, s.units, this.pairs[--g]![0].values as Float32Array);
      k.matmul(prev, dz, this.pairs[--g]![0].values, s.inputDim, rows, s.units, true, false, 0, 0, 0);
      if (i === 0) break;
      const p0 = stages[i - 1]!, da = b.da[i - 1]!, dzPrev = b.dz[i - 1]!;
      k.matmul(dz, s.layer.kernel!.values, da, rows, s.units, s.inputDim, false, true, 0, 0, 0);
      const act = p0.activation;
      if (act.kind === 'unary') k.unaryGrad(act.op, b.z[i - 1]!, b.a[i - 1]!, da, dzPrev);
      else if (act.kind === 'softmax') k.softmaxGrad(b.a[i - 1]!, da, rows, p0.units, dzPrev);
    }

    // The general path's reduction: a float64 sum rounded to float32, then one float32 division.
    let total = 0;
    for (let r = 0; r < rows; r++) total += b.perRow[r]!;
    total = Math.fround(total);
    return this.divideByRows ? Math.fround(total / rows) : total;
  }

  private rowBuffers(rows: number): RowBuffers {
    const recent = this.lastBuffers;
    if (recent !== null && recent.rows === rows) return recent;
    let b = this.buffers.get(rows);
    if (b) return (this.lastBuffers = b);
    // A fit has at most two batch sizes (full batches and the last one); anything else is a new call pattern.
    if (this.buffers.size >= 4) this.buffers.clear();
    const z: Float32Array[] = [], a: Float32Array[] = [], dz: Float32Array[] = [], da: Float32Array[] = [];
    const last = this.stages.length - 1;
    this.stages.forEach((s, i) => {
      const size = rows * s.units;
      const linear = s.activation.kind === 'linear';
      z.push(new Float32Array(size));
      a.push(linear ? z[i]! : new Float32Array(size));
      dz.push(new Float32Array(size));
      // The last stage needs d loss / d a only for MSE through a non-linear output.
      da.push(linear ? dz[i]! : i < last || this.lossKind === 'mse' ? new Float32Array(size) : dz[i]!);
    });
    const n = this.stages[last]!.units;
    const dRow = new Float32Array(rows).fill(this.divideByRows ? Math.fround(1 / rows) : 1);
    b = { rows, z, a, dz, da, perRow: new Float32Array(rows), dRow, yPred: new Tensor(a[last]!, [rows, n]) };
    this.buffers.set(rows, b);
    return (this.lastBuffers = b);
  }
}

function activationKind(layer: Dense): ActivationKind | null {
  const fn = getActivation(layer.activation, layer.name);
  const name = (Object.keys(ACTIVATIONS) as (keyof typeof ACTIVATIONS)[]).find((key) => ACTIVATIONS[key] === fn);
  if (name === undefined) return null;
  if (name === 'linear') return { kind: 'linear' };
  if (name === 'softmax') return { kind: 'softmax' };
  const op = UNARY_ACTIVATIONS[name];
  return op ? { kind: 'unary', op } : null;
}

function planLoss(loss: Loss, last: ActivationKind): LossKind | PlanFailure {
  const lastIs = (op: UnaryOp) => last.kind === 'unary' && last.op === op;
  if (loss instanceof BinaryCrossentropy && loss.constructor === BinaryCrossentropy) {
    if (loss.fromLogits || loss.labelSmoothing !== 0 || loss.axis !== -1 || !lastIs('sigmoid')) {
      return { reason: 'binary crossentropy runs compiled only on a sigmoid output, without fromLogits or labelSmoothing' };
    }
    return 'sigmoidBce';
  }
  if (loss instanceof CategoricalCrossentropy && loss.constructor === CategoricalCrossentropy) {
    if (loss.fromLogits || loss.labelSmoothing !== 0 || loss.axis !== -1 || last.kind !== 'softmax') {
      return { reason: 'categorical crossentropy runs compiled only on a softmax output, without fromLogits or labelSmoothing' };
    }
    return 'softmaxCce';
  }
  if (loss instanceof MeanSquaredError && loss.constructor === MeanSquaredError) return 'mse';
  return { reason: `the loss ${loss.className} '${loss.name}' is not one the compiled step runs (binary or categorical crossentropy, mean squared error)` };
}

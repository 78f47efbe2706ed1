/**
 * The epoch/batch loop of `fit`, driving the callbacks. Each step is the synchronous `trainStep`;
 * the loop yields to the event loop by elapsed time (not per batch), so a browser page stays responsive
 * without paying a promise per batch.
 */
import { Tensor, argMax, derivedRng } from '@minikeras/tensor';
import type { TensorLike } from '@minikeras/tensor';
import { Callback, CallbackList, History } from '../callbacks/callback';
import type { CallbackModel, Logs } from '../callbacks/callback';
import { ProgbarLogger } from '../callbacks/progbar-logger';
import type { CompiledState } from './compile';
import { collectLogs, resetMetrics, trainStep } from './train-step';
import type { SteppableModel } from './train-step';
import { asTensor, assertFinite, checkSameCounts, gatherRows, isBatchSource, sliceRows, toTensorList } from './data';
import type { BatchSource, ModelData, ModelIO, NumericData } from './data';
export type { ModelData } from './data';
import type { Nested } from '../engine/structure';

/**
 * Options of `model.fit` (Keras 3 `keras.Model.fit`'s options, camelCased). `K` are the log keys callbacks may read.
 */
export interface FitArgs<K extends string = string> {
  /** Number of epochs to train. Default 1. */
  epochs?: number;
  /** Samples per batch (arrays only). Default 32. */
  batchSize?: number;
  /** 0 = silent, 1 = progress bar (one line per epoch when not a TTY), 2 = one line per epoch. */
  verbose?: 0 | 1 | 2 | 'auto';
  /** Fraction of the data, taken from the end before shuffling (as Keras), held out for validation. */
  validationSplit?: number;
  /**
   * Data evaluated after each `validationFreq`-th epoch and logged as `val_*`: `[x, y]`, `[x, y, sampleWeight]` or `{ x, y, sampleWeight }`.
   */
  validationData?: [ModelData, ModelData] | [ModelData, ModelData, TensorLike] | { x: ModelData; y: ModelData; sampleWeight?: TensorLike };
  /** Batch size of validation. Default `batchSize`. */
  validationBatchSize?: number;
  /** Validate every N epochs (default 1). */
  validationFreq?: number;
  /** Shuffle the training samples before each epoch (arrays only). Default true. */
  shuffle?: boolean;
  /** Weight of each class's samples in the loss: `{ 0: 1, 1: 5 }`. */
  classWeight?: Record<number, number>;
  /** Weight of each training sample in the loss and the metrics. */
  sampleWeight?: NumericData;
  /** Epoch to start counting at, to resume a previous run. Default 0. */
  initialEpoch?: number;
  /** Batches per epoch when training from an iterable. */
  stepsPerEpoch?: number;
  /** Callbacks called during training, in order (a History is always added and returned). */
  callbacks?: Callback<K>[];
  /** How often fit lets the event loop run: 'auto' (every ~16 ms), 'batch', 'epoch', 'never', or milliseconds. */
  yieldEvery?: 'auto' | 'batch' | 'epoch' | 'never' | number;
}

const FIT_KEYS = ['epochs', 'batchSize', 'verbose', 'validationSplit', 'validationData', 'validationBatchSize', 'validationFreq', 'shuffle', 'classWeight', 'sampleWeight', 'initialEpoch', 'stepsPerEpoch', 'callbacks', 'yieldEvery'];


/** Where `fit` continues an interrupted run: the epoch, the batches of it already done, and its shuffle key. */
export interface ResumePoint {
  epoch: number;
  step: number;
  epochStartIterations: number;
}

export interface FittableModel extends SteppableModel, CallbackModel, ModelIO {
  /** Set by a callback in `onTrainBegin` (BackupAndRestore) to continue an interrupted run; `fit` clears it. */
  resumeFrom?: ResumePoint | null;
  readonly name: string;
  evaluateToLogs(xs: Tensor[], ys: Tensor[], args: { batchSize?: number; sampleWeight?: Tensor | undefined }, prefix: string): Record<string, number>;
  /** The flat input list as the model's `call` takes it (one tensor, or the list). */
  packInputs(xs: readonly Tensor[]): Nested<Tensor>;
  /** Builds a model that is not built yet (a subclassed model) by calling it on a batch. */
  ensureBuiltFor(xs: readonly Tensor[]): void;
}

const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === 'function' ? () => new Promise((r) => setImmediate(r)) : () => new Promise((r) => setTimeout(r, 0));

function checkArgs(owner: string, args: object): void {
  for (const key of Object.keys(args)) {
    if (!FIT_KEYS.includes(key)) throw new Error(`${owner}: unknown option '${key}'; valid options are ${FIT_KEYS.join(', ')}`);
  }
}

function intOption(owner: string, name: string, value: number, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new Error(`${owner}: ${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return value;
}

/** Every option of `fit` checked by type and range, each error naming its option. */
function checkFitOptions(owner: string, args: FitArgs<string>): void {
  if (args.validationSplit !== undefined && (typeof args.validationSplit !== 'number' || !(args.validationSplit >= 0 && args.validationSplit < 1))) {
    throw new Error(`${owner}: validationSplit must be a number in [0, 1), got ${JSON.stringify(args.validationSplit)}`);
  }
  if (args.validationBatchSize !== undefined) intOption(owner, 'validationBatchSize', args.validationBatchSize, 1);
  if (args.stepsPerEpoch !== undefined) intOption(owner, 'stepsPerEpoch', args.stepsPerEpoch, 1);
  if (args.shuffle !== undefined && typeof args.shuffle !== 'boolean') throw new Error(`${owner}: shuffle must be true or false, got ${JSON.stringify(args.shuffle)}`);
  const y = args.yieldEvery;
  if (y !== undefined && !['auto', 'batch', 'epoch', 'never'].includes(y as string) && !(typeof y === 'number' && y >= 0 && Number.isFinite(y))) {
    throw new Error(`${owner}: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds >= 0, got ${JSON.stringify(y)}`);
  }
  if (args.classWeight !== undefined) {
    if (typeof args.classWeight !== 'object' || args.classWeight === null || Array.isArray(args.classWeight)) {
      throw new Error(`${owner}: classWeight must be a record { class index: weight }, got ${JSON.stringify(args.classWeight)}`);
    }
    for (const [k, w] of Object.entries(args.classWeight)) {
      if (!/^\d+$/.test(k)) throw new Error(`${owner}: classWeight keys must be class indices (0, 1, ...), got '${k}'`);
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new Error(`${owner}: classWeight for class ${k} must be a finite number >= 0, got ${JSON.stringify(w)}`);
    }
  }
  if (args.callbacks !== undefined) {
    if (!Array.isArray(args.callbacks)) throw new Error(`${owner}: callbacks must be a list of Callback instances, got ${JSON.stringify(args.callbacks)}`);
    args.callbacks.forEach((c, i) => {
      if (!(c instanceof Callback)) {
        throw new Error(`${owner}: callbacks[${i}] is not a Callback (got ${c === null ? 'null' : typeof c === 'object' ? `a ${(c as object).constructor?.name ?? 'plain object'}` : typeof c}); use a Callback subclass, or new LambdaCallback({ onEpochEnd: ... }) for plain functions`);
      }
    });
  }
}

/** Per-sample weights from `classWeight` (labels read as class indices, or argmax of one-hot rows). */
function classWeightsFor(y: Tensor, classWeight: Record<number, number>, owner: string): Tensor {
  const labels = y.rank >= 2 && y.shape[y.rank - 1]! > 1 ? argMax(y, -1).values : y.values;
  const out = new Float32Array(y.shape[0]!);
  for (let i = 0; i < out.length; i++) {
    const cls = Math.round(labels[i]!);
    const w = classWeight[cls];
    if (w === undefined) throw new Error(`${owner}: classWeight has no entry for class ${cls} (keys: ${Object.keys(classWeight).join(', ')})`);
    out[i] = w;
  }
  return new Tensor(out, [out.length]);
}

function multiplyWeights(a: Tensor | undefined, b: Tensor): Tensor {
  if (!a) return b;
  const n = b.size;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = a.values[i]! * b.values[i]!;
  return new Tensor(out, [n]);
}

interface ArrayData { xs: Tensor[]; ys: Tensor[]; sampleWeight: Tensor | undefined }

function sliceData(d: ArrayData, a: number, b: number): ArrayData {
  return { xs: d.xs.map((t) => sliceRows(t, a, b)), ys: d.ys.map((t) => sliceRows(t, a, b)), sampleWeight: d.sampleWeight && sliceRows(d.sampleWeight, a, b) };
}

/** Inputs and targets as one tensor per model input and output, checked. */
/**
 * The data adapter every entry point (fit, evaluate, trainOnBatch, testOnBatch, iterable batches, validation
 * data) goes through: one tensor per model input and output, the same number of samples everywhere, and no NaN
 * or Infinity anywhere (training on them silently makes a NaN model). Errors name the argument.
 */
export function modelArrays(model: ModelIO, owner: string, x: unknown, y: unknown, sampleWeight: NumericData | undefined, label = ''): ArrayData {
  const xs = toTensorList(x, model.inputNames, `${owner}: ${label}x`, 'input');
  const ys = toTensorList(y, model.outputNames, `${owner}: ${label}y`, 'output');
  const sw = sampleWeight === undefined ? undefined : asTensor(sampleWeight, `${owner}: ${label}sampleWeight`);
  checkSameCounts(xs, ys, model, `${owner}${label ? `: ${label.trim()}` : ''}`, sw);
  xs.forEach((t, i) => assertFinite(t, `${owner}: ${label}x${xs.length > 1 ? ` '${model.inputNames[i]}'` : ''}`));
  ys.forEach((t, i) => assertFinite(t, `${owner}: ${label}y${ys.length > 1 ? ` '${model.outputNames[i]}'` : ''}`));
  if (sw) {
    assertFinite(sw, `${owner}: ${label}sampleWeight`);
    // One weight per sample, or Keras' temporal weights: one per step of a sequence output ([samples, steps],
    // the leading axes of every target).
    const temporal = sw.rank > 1 && ys.every((y) => y.rank >= sw.rank && sw.shape.every((d, i) => d === y.shape[i]));
    if (sw.rank !== 1 && !temporal) {
      throw new Error(`${owner}: ${label}sampleWeight must be one weight per sample (shape [${xs[0]!.shape[0]}]) or, for a sequence output, one per step (the leading axes of y, shape [${ys[0]!.shape.slice(0, 2).join(', ')}]), got shape [${sw.shape.join(', ')}]`);
    }
  }
  return { xs, ys, sampleWeight: sw };
}

function prepareArrays(model: ModelIO, owner: string, xIn: unknown, yIn: unknown, args: FitArgs<string>): { train: ArrayData; val: ArrayData | null } {
  const data = modelArrays(model, owner, xIn, yIn, args.sampleWeight);
  const n = data.xs[0]!.shape[0]!;
  if (args.classWeight) {
    if (data.ys.length !== 1) throw new Error(`${owner}: classWeight needs a model with one output; use sampleWeight for several`);
    if (data.sampleWeight && data.sampleWeight.rank > 1) throw new Error(`${owner}: classWeight cannot be combined with per-step sampleWeight; fold the class weights into the sampleWeight`);
    data.sampleWeight = multiplyWeights(data.sampleWeight, classWeightsFor(data.ys[0]!, args.classWeight, owner));
  }
  let val: ArrayData | null = null;
  let train: ArrayData = data;
  if (args.validationData) {
    const vd = args.validationData;
    const [vx, vy, vw] = Array.isArray(vd) ? vd : [vd.x, vd.y, vd.sampleWeight];
    val = modelArrays(model, owner, vx, vy, vw as TensorLike | undefined, 'validationData ');
  } else if (args.validationSplit !== undefined && args.validationSplit !== 0) {
    const split = args.validationSplit;
    const at = Math.floor(n * (1 - split));
    if (at === 0 || at === n) throw new Error(`${owner}: validationSplit ${split} of ${n} samples leaves an empty training or validation set`);
    train = sliceData(data, 0, at);
    val = sliceData(data, at, n);
  }
  return { train, val };
}

export async function runFit(
  model: FittableModel,
  compiled: CompiledState,
  xOrData: ModelData | BatchSource,
  yOrArgs: ModelData | FitArgs<string> | undefined,
  maybeArgs: FitArgs<string> | undefined,
): Promise<History<string>> {
  const owner = `Model '${model.name}'.fit`;
  const fromIterable = isBatchSource(xOrData);
  const args: FitArgs<string> = (fromIterable ? (yOrArgs as FitArgs<string> | undefined) : maybeArgs) ?? {};
  checkArgs(owner, args);
  checkFitOptions(owner, args);
  const epochs = intOption(owner, 'epochs', args.epochs ?? 1, 1);
  const batchSize = intOption(owner, 'batchSize', args.batchSize ?? 32, 1);
  const initialEpoch = intOption(owner, 'initialEpoch', args.initialEpoch ?? 0, 0);
  const validationFreq = intOption(owner, 'validationFreq', args.validationFreq ?? 1, 1);
  const verbose = args.verbose === 'auto' || args.verbose === undefined ? 1 : args.verbose;
  if (![0, 1, 2].includes(verbose)) throw new Error(`${owner}: verbose must be 0, 1, 2 or 'auto', got ${JSON.stringify(args.verbose)}`);
  const shuffle = args.shuffle ?? true;
  const yieldEvery = args.yieldEvery ?? 'auto';
  const yieldMs = yieldEvery === 'auto' ? 16 : yieldEvery === 'batch' ? 0 : typeof yieldEvery === 'number' ? yieldEvery : Infinity;

  let arrays: { train: ArrayData; val: ArrayData | null } | null = null;
  let steps: number | null;
  if (fromIterable) {
    if (args.validationSplit) throw new Error(`${owner}: validationSplit needs arrays; with an iterable dataset pass validationData`);
    if (args.classWeight) throw new Error(`${owner}: classWeight needs arrays; with an iterable dataset give each batch a sampleWeight`);
    steps = args.stepsPerEpoch ?? null;
    if (args.validationData) {
      const vd = args.validationData;
      const [vx, vy, vw] = Array.isArray(vd) ? vd : [vd.x, vd.y, vd.sampleWeight];
      arrays = { train: { xs: [], ys: [], sampleWeight: undefined }, val: modelArrays(model, owner, vx, vy, vw as TensorLike | undefined, 'validationData ') };
    }
  } else {
    arrays = prepareArrays(model, owner, xOrData, yOrArgs, args);
    steps = Math.ceil(arrays.train.xs[0]!.shape[0]! / batchSize);
    model.ensureBuiltFor(arrays.train.xs.map((t) => sliceRows(t, 0, Math.min(1, t.shape[0]!))));
  }
  const validation = arrays?.val ?? null;

  const history = new History<string>();
  const callbacks: Callback<string>[] = [...(args.callbacks ?? []), history];
  // As Keras: a ProgbarLogger the user passed replaces the default one.
  if (verbose > 0 && !callbacks.some((c) => c instanceof ProgbarLogger)) callbacks.push(new ProgbarLogger());
  const list = new CallbackList(callbacks, model, { epochs, steps, verbose: verbose as 0 | 1 | 2 });
  const batchHooks = list.wantsBatchHooks;
  model.stopTraining = false;

  let lastYield = Date.now();
  const maybeYield = async () => {
    if (yieldMs === Infinity) return;
    const now = Date.now();
    if (now - lastYield >= yieldMs) {
      await yieldToEventLoop();
      lastYield = Date.now();
    }
  };
  const sync = async (r: void | Promise<void>) => { if (r) await r; };

  await sync(list.trainBegin());
  // A callback restoring a backup (BackupAndRestore) says where the interrupted run stopped.
  const resume = model.resumeFrom ?? null;
  model.resumeFrom = null;
  let epochLogs: Logs = {};
  for (let epoch = resume ? resume.epoch : initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    resetMetrics(compiled);
    const resuming = resume !== null && epoch === resume.epoch && resume.step > 0;
    // The optimizer step the epoch began at keys its shuffle; a run resumed mid-epoch takes the saved one.
    const epochStartIterations = resuming ? resume.epochStartIterations : compiled.optimizer.iterations;
    await sync(list.epochBegin(epoch));
    let step = resuming ? resume.step : 0;
    const onBatch = async (xs: Tensor[], ys: Tensor[], sw: Tensor | undefined) => {
      if (batchHooks) await sync(list.batchBegin(step, { size: ys[0]!.shape[0]! }));
      trainStep(model, compiled, { x: model.packInputs(xs), ys, sampleWeight: sw });
      if (batchHooks) await sync(list.batchEnd(step, collectLogs(compiled)));
      step++;
      await maybeYield();
    };
    if (!fromIterable) {
      const { xs, ys, sampleWeight } = arrays!.train;
      const n = xs[0]!.shape[0]!;
      // Keyed by (seed, epoch, optimizer step): repeated fit calls reshuffle, and a run resumed from a
      // saved model + optimizer state at `initialEpoch` replays exactly the batches of an uninterrupted run.
      const order = shuffle ? derivedRng('fit-shuffle', epoch, epochStartIterations).shuffle(Int32Array.from({ length: n }, (_, i) => i)) : null;
      for (let start = step * batchSize; start < n && !model.stopTraining; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        if (order) await onBatch(xs.map((t) => gatherRows(t, order, start, end)), ys.map((t) => gatherRows(t, order, start, end)), sampleWeight && gatherRows(sampleWeight, order, start, end));
        else await onBatch(xs.map((t) => sliceRows(t, start, end)), ys.map((t) => sliceRows(t, start, end)), sampleWeight && sliceRows(sampleWeight, start, end));
      }
    } else {
      const source = xOrData as BatchSource;
      const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<{ x: ModelData; y: ModelData; sampleWeight?: TensorLike }>)[Symbol.iterator]();
      if (resuming) throw new Error(`${owner}: a backup taken mid-epoch can be resumed only for array data; with an iterable dataset use BackupAndRestore({ saveFreq: 'epoch' })`);
      while (!model.stopTraining && (steps === null || step < steps)) {
        const next = await iterator.next();
        if (next.done) break;
        const b = next.value;
        const data = modelArrays(model, owner, b.x, b.y, b.sampleWeight, `batch ${step} `);
        model.ensureBuiltFor(data.xs);
        await onBatch(data.xs, data.ys, data.sampleWeight);
      }
      if (step === 0) {
        console.warn(`${owner}: the dataset yielded no batches in epoch ${epoch + 1}; stopping. (A generator can only be iterated once: pass an iterable that restarts, or set stepsPerEpoch.)`);
        model.stopTraining = true;
        break;
      }
    }
    epochLogs = collectLogs(compiled);
    if (validation && (epoch + 1 - initialEpoch) % validationFreq === 0) {
      const valLogs = model.evaluateToLogs(validation.xs, validation.ys, { batchSize: args.validationBatchSize ?? batchSize, sampleWeight: validation.sampleWeight }, 'val_');
      epochLogs = Object.fromEntries(Object.entries({ ...epochLogs, ...valLogs }).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
    }
    await sync(list.epochEnd(epoch, epochLogs));
    if (yieldEvery === 'epoch') await yieldToEventLoop();
  }
  // With useEma, Keras copies the moving averages into the weights at the end of fit.
  compiled.optimizer.finalizeVariableValues(model.trainableWeights);
  await sync(list.trainEnd(epochLogs));
  return history;
}

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
import { asTensor, assertFinite, checkSameCount, gatherRows, isBatchSource, sliceRows } from './data';
import type { BatchSource } from './data';

export interface FitArgs<K extends string = string> {
  epochs?: number;
  batchSize?: number;
  /** 0 = silent, 1 = progress bar (one line per epoch when not a TTY), 2 = one line per epoch. */
  verbose?: 0 | 1 | 2 | 'auto';
  /** Fraction of the data, taken from the end before shuffling (as Keras), held out for validation. */
  validationSplit?: number;
  validationData?: [TensorLike, TensorLike] | [TensorLike, TensorLike, TensorLike] | { x: TensorLike; y: TensorLike; sampleWeight?: TensorLike };
  validationBatchSize?: number;
  /** Validate every N epochs (default 1). */
  validationFreq?: number;
  shuffle?: boolean;
  /** Weight of each class's samples in the loss: `{ 0: 1, 1: 5 }`. */
  classWeight?: Record<number, number>;
  sampleWeight?: TensorLike;
  initialEpoch?: number;
  /** Batches per epoch when training from an iterable. */
  stepsPerEpoch?: number;
  callbacks?: Callback<K>[];
  /** How often fit lets the event loop run: 'auto' (every ~16 ms), 'batch', 'epoch', 'never', or milliseconds. */
  yieldEvery?: 'auto' | 'batch' | 'epoch' | 'never' | number;
}

const FIT_KEYS = ['epochs', 'batchSize', 'verbose', 'validationSplit', 'validationData', 'validationBatchSize', 'validationFreq', 'shuffle', 'classWeight', 'sampleWeight', 'initialEpoch', 'stepsPerEpoch', 'callbacks', 'yieldEvery'];

export interface FittableModel extends SteppableModel, CallbackModel {
  readonly name: string;
  evaluateToLogs(x: Tensor, y: Tensor, args: { batchSize?: number; sampleWeight?: TensorLike }, prefix: string): Record<string, number>;
  call(x: Tensor, ctx: { training: boolean }): Tensor;
}

const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === 'function' ? () => new Promise((r) => setImmediate(r)) : () => new Promise((r) => setTimeout(r, 0));

function checkArgs(owner: string, args: object): void {
  for (const key of Object.keys(args)) {
    if (!FIT_KEYS.includes(key)) throw new Error(`${owner}: unknown option '${key}'; valid options are ${FIT_KEYS.join(', ')}`);
  }
}

function intOption(owner: string, name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new Error(`${owner}: ${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return value;
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

interface ArrayData { x: Tensor; y: Tensor; sampleWeight: Tensor | undefined }

function prepareArrays(owner: string, xIn: TensorLike, yIn: TensorLike, args: FitArgs<string>): { train: ArrayData; val: ArrayData | null } {
  const x = asTensor(xIn, `${owner}: x`);
  const y = asTensor(yIn, `${owner}: y`);
  let sw = args.sampleWeight === undefined ? undefined : asTensor(args.sampleWeight, `${owner}: sampleWeight`);
  const n = checkSameCount(x, y, owner, sw);
  assertFinite(x, `${owner}: x`);
  assertFinite(y, `${owner}: y`);
  if (args.classWeight) sw = multiplyWeights(sw, classWeightsFor(y, args.classWeight, owner));
  let val: ArrayData | null = null;
  let train: ArrayData = { x, y, sampleWeight: sw };
  if (args.validationData) {
    const vd = args.validationData;
    const [vx, vy, vw] = Array.isArray(vd) ? vd : [vd.x, vd.y, vd.sampleWeight];
    const vxt = asTensor(vx, `${owner}: validationData x`), vyt = asTensor(vy, `${owner}: validationData y`);
    const vwt = vw === undefined ? undefined : asTensor(vw, `${owner}: validationData sampleWeight`);
    checkSameCount(vxt, vyt, `${owner}: validationData`, vwt);
    val = { x: vxt, y: vyt, sampleWeight: vwt };
  } else if (args.validationSplit) {
    const split = args.validationSplit;
    if (!(split > 0 && split < 1)) throw new Error(`${owner}: validationSplit must be in (0, 1), got ${split}`);
    const at = Math.floor(n * (1 - split));
    if (at === 0 || at === n) throw new Error(`${owner}: validationSplit ${split} of ${n} samples leaves an empty training or validation set`);
    const cut = (t: Tensor | undefined, a: number, b: number) => t && sliceRows(t, a, b);
    train = { x: sliceRows(x, 0, at), y: sliceRows(y, 0, at), sampleWeight: cut(sw, 0, at) };
    val = { x: sliceRows(x, at, n), y: sliceRows(y, at, n), sampleWeight: cut(sw, at, n) };
  }
  return { train, val };
}

export async function runFit(
  model: FittableModel,
  compiled: CompiledState,
  xOrData: TensorLike | BatchSource,
  yOrArgs: TensorLike | FitArgs<string> | undefined,
  maybeArgs: FitArgs<string> | undefined,
): Promise<History<string>> {
  const owner = `Sequential '${model.name}'.fit`;
  const fromIterable = isBatchSource(xOrData);
  const args: FitArgs<string> = (fromIterable ? (yOrArgs as FitArgs<string> | undefined) : maybeArgs) ?? {};
  checkArgs(owner, args);
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
    steps = args.stepsPerEpoch ?? null;
    if (args.validationData) arrays = prepareArrays(owner, args.validationData instanceof Array ? args.validationData[0] : args.validationData.x, args.validationData instanceof Array ? args.validationData[1] : args.validationData.y, { validationData: args.validationData });
  } else {
    arrays = prepareArrays(owner, xOrData as TensorLike, yOrArgs as TensorLike, args);
    steps = Math.ceil(arrays.train.x.shape[0]! / batchSize);
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
  let epochLogs: Logs = {};
  for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    resetMetrics(compiled);
    await sync(list.epochBegin(epoch));
    let step = 0;
    const onBatch = async (x: Tensor, y: Tensor, sw: Tensor | undefined) => {
      if (batchHooks) await sync(list.batchBegin(step, { size: x.shape[0]! }));
      trainStep(model, compiled, x, y, sw);
      if (batchHooks) await sync(list.batchEnd(step, collectLogs(compiled)));
      step++;
      await maybeYield();
    };
    if (!fromIterable) {
      const { x, y, sampleWeight } = arrays!.train;
      const n = x.shape[0]!;
      // Keyed by (seed, epoch, optimizer step): repeated fit calls reshuffle, and a run resumed from a
      // saved model + optimizer state at `initialEpoch` replays exactly the batches of an uninterrupted run.
      const order = shuffle ? derivedRng('fit-shuffle', epoch, compiled.optimizer.iterations).shuffle(Int32Array.from({ length: n }, (_, i) => i)) : null;
      for (let start = 0; start < n && !model.stopTraining; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        if (order) await onBatch(gatherRows(x, order, start, end), gatherRows(y, order, start, end), sampleWeight && gatherRows(sampleWeight, order, start, end));
        else await onBatch(sliceRows(x, start, end), sliceRows(y, start, end), sampleWeight && sliceRows(sampleWeight, start, end));
      }
    } else {
      const source = xOrData as BatchSource;
      const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<{ x: TensorLike; y: TensorLike; sampleWeight?: TensorLike }>)[Symbol.iterator]();
      while (!model.stopTraining && (steps === null || step < steps)) {
        const next = await iterator.next();
        if (next.done) break;
        const b = next.value;
        const bx = asTensor(b.x, `${owner}: batch ${step} x`), by = asTensor(b.y, `${owner}: batch ${step} y`);
        const bw = b.sampleWeight === undefined ? undefined : asTensor(b.sampleWeight, `${owner}: batch ${step} sampleWeight`);
        checkSameCount(bx, by, `${owner}: batch ${step}`, bw);
        await onBatch(bx, by, bw);
      }
      if (step === 0) {
        console.warn(`${owner}: the dataset yielded no batches in epoch ${epoch + 1}; stopping. (A generator can only be iterated once: pass an iterable that restarts, or set stepsPerEpoch.)`);
        model.stopTraining = true;
        break;
      }
    }
    epochLogs = collectLogs(compiled);
    if (validation && (epoch + 1 - initialEpoch) % validationFreq === 0) {
      const valLogs = model.evaluateToLogs(validation.x, validation.y, { batchSize: args.validationBatchSize ?? batchSize, ...(validation.sampleWeight ? { sampleWeight: validation.sampleWeight } : {}) }, 'val_');
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

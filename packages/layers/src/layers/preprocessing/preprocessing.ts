/**
 * Preprocessing layers of Keras 3 (`keras/src/layers/preprocessing/` and core's Masking): Rescaling,
 * Normalization (with `adapt`), Resizing, CenterCrop, CategoryEncoding and Masking. They run inside the
 * model, so a saved model carries its preprocessing.
 */
import {
  Tensor, add, cast, div, greater, max, maximum, mul, notEqual, oneHot, reshape, resizeBilinear, resizeNearestNeighbor, slice, sqrt, sub, sum, formatShape,
} from '@minikeras/tensor';
import { Layer, positiveInt } from '../../engine/layer';
import type { CallContext, LayerArgs, SymbolicShape } from '../../engine/layer';
import type { Nested } from '../../engine/structure';
import { checkDataFormat, checkLayerOptions, formatSymbolicShape, isFiniteNumber, numberOption } from '../layer-utils';
import type { Variable } from '@minikeras/tensor';

/** A layer that keeps its input's shape. */
abstract class ShapePreserving extends Layer {
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return inputShape;
  }
}

export interface RescalingArgs extends LayerArgs {
  /** Added after scaling (default 0). */
  offset?: number;
}

/** `x * scale + offset`: `new Rescaling(1 / 255)` maps pixels to [0, 1], `new Rescaling(1 / 127.5, { offset: -1 })` to [-1, 1]. */
export class Rescaling extends ShapePreserving {
  static override readonly className = 'Rescaling';
  static override readonly positionalArgs = ['scale'];
  readonly scale: number;
  readonly offset: number;
  constructor(scale: number, args: RescalingArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['scale', 'offset']);
    this.scale = numberOption(this.label, 'scale', scale, () => true, 'a finite number');
    this.offset = numberOption(this.label, 'offset', args.offset ?? 0, () => true, 'a finite number');
    this.supportsMasking = true;
  }
  call(x: Tensor): Tensor {
    const y = mul(x, this.scale);
    return this.offset === 0 ? y : add(y, this.offset);
  }
  override getConfig() {
    return { ...super.getConfig(), scale: this.scale, offset: this.offset };
  }
}

export interface NormalizationArgs extends LayerArgs {
  /** The axis or axes that keep their own mean and variance (default -1: per feature); null: one for everything. */
  axis?: number | readonly number[] | null;
  /** A fixed mean (number or per-feature list) instead of `adapt`. */
  mean?: number | readonly number[] | null;
  /** A fixed variance, given together with `mean`. */
  variance?: number | readonly number[] | null;
  /** Undo a normalization instead: `mean + x * sqrt(variance)` (default false). */
  invert?: boolean;
}

/** Keras' `backend.epsilon()`: the smallest standard deviation divided by. */
const EPSILON = 1e-7;

/**
 * `(x - mean) / sqrt(variance)` per feature. The statistics are given (`mean`, `variance`) or computed from
 * data by `adapt(data)`, and are then the layer's (non-trainable) weights `mean` and `variance`, saved
 * with the model as in Keras.
 *
 * ```ts
 * const norm = new Normalization();
 * norm.adapt(trainFeatures);   // [samples, features]
 * ```
 */
export class Normalization extends ShapePreserving {
  static override readonly className = 'Normalization';
  readonly axis: number[] | null;
  readonly invert: boolean;
  readonly inputMean: number[] | null;
  readonly inputVariance: number[] | null;
  adaptMean: Variable | null = null;
  adaptVariance: Variable | null = null;
  private keepAxes: number[] = [];
  private broadcastShape: number[] = [];

  constructor(args: NormalizationArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['axis', 'mean', 'variance', 'invert']);
    const axis = args.axis === undefined ? -1 : args.axis;
    const list = axis === null ? null : typeof axis === 'number' ? [axis] : [...axis];
    if (list && !list.every((a) => Number.isInteger(a) && a !== 0)) {
      throw new Error(`${this.label}: axis must be null, a non-zero integer or a list of them (axis 0 is the batch), got ${JSON.stringify(args.axis)}`);
    }
    this.axis = list;
    this.invert = args.invert ?? false;
    const toList = (option: string, v: unknown): number[] | null => {
      if (v == null) return null;
      const l = typeof v === 'number' ? [v] : v;
      if (!Array.isArray(l) || l.length === 0 || !l.every(isFiniteNumber)) throw new Error(`${this.label}: ${option} must be a number or a list of numbers, got ${JSON.stringify(v)}`);
      return [...l];
    };
    this.inputMean = toList('mean', args.mean);
    this.inputVariance = toList('variance', args.variance);
    if ((this.inputMean === null) !== (this.inputVariance === null)) {
      throw new Error(`${this.label}: give both mean and variance, or neither (and call adapt)`);
    }
    if (this.inputVariance?.some((v) => v < 0)) throw new Error(`${this.label}: variance must be >= 0, got ${JSON.stringify(args.variance)}`);
    this.supportsMasking = true;
  }

  override build(inputShape: SymbolicShape): void {
    const rank = inputShape.length;
    this.keepAxes = (this.axis ?? []).map((a) => (a < 0 ? a + rank : a));
    if (this.keepAxes.some((a) => a <= 0 || a >= rank)) {
      throw new Error(`${this.label}: axis ${JSON.stringify(this.axis)} is out of range for an input of shape ${formatSymbolicShape(inputShape)} (axis 0, the batch, cannot be kept)`);
    }
    const kept = this.keepAxes.map((a) => inputShape[a]);
    if (kept.some((d) => d === null)) throw new Error(`${this.label}: the kept axes ${JSON.stringify(this.axis)} of the input must be known, got shape ${formatSymbolicShape(inputShape)}`);
    this.broadcastShape = inputShape.map((d, i) => (this.keepAxes.includes(i) ? d! : 1));
    const statShape = kept as number[];
    const size = statShape.reduce((p, d) => p * d, 1);
    if (this.inputMean === null) {
      this.adaptMean = this.addWeight('mean', statShape, { initializer: 'zeros', trainable: false });
      this.adaptVariance = this.addWeight('variance', statShape, { initializer: 'ones', trainable: false });
    } else {
      for (const [option, v] of [['mean', this.inputMean], ['variance', this.inputVariance!]] as const) {
        if (v.length !== 1 && v.length !== size) throw new Error(`${this.label}: ${option} has ${v.length} values, but the kept axes hold ${size} (or give one value)`);
      }
    }
    this.built = true;
  }

  /**
   * Computes the mean and variance of `data` ([samples, ...features], a Tensor or nested arrays) over every
   * axis but the kept ones, in float64, and stores them as the layer's weights.
   */
  adapt(data: Tensor | ArrayLike<unknown>): void {
    if (this.inputMean !== null) throw new Error(`${this.label}: adapt cannot be used when mean and variance were given`);
    const t = data instanceof Tensor ? data : tensorFromNested(data, this.label);
    if (t.rank < 1 || t.shape[0] === 0) throw new Error(`${this.label}: adapt needs at least one sample, got shape ${formatShape(t.shape)}`);
    const shape: SymbolicShape = [null, ...t.shape.slice(1)];
    if (!this.built) this.ensureBuilt(shape);
    if (t.rank !== this.broadcastShape.length || this.keepAxes.some((a) => t.shape[a] !== this.broadcastShape[a])) {
      throw new Error(`${this.label}: adapt data of shape ${formatShape(t.shape)} does not match the layer's input (kept axes ${JSON.stringify(this.keepAxes)} of size ${JSON.stringify(this.keepAxes.map((a) => this.broadcastShape[a]))})`);
    }
    const { mean, variance } = keptMoments(t, this.keepAxes);
    this.adaptMean!.assign(new Tensor(Float32Array.from(mean), this.adaptMean!.shape));
    this.adaptVariance!.assign(new Tensor(Float32Array.from(variance), this.adaptVariance!.shape));
  }

  private stats(): [Tensor, Tensor] {
    if (this.inputMean !== null) {
      const size = this.broadcastShape.reduce((p, d) => p * d, 1);
      const full = (v: number[]) => new Tensor(Float32Array.from({ length: size }, (_, i) => v.length === 1 ? v[0]! : v[i]!), this.broadcastShape);
      return [full(this.inputMean), full(this.inputVariance!)];
    }
    return [reshape(this.adaptMean!, this.broadcastShape), reshape(this.adaptVariance!, this.broadcastShape)];
  }

  call(x: Tensor): Tensor {
    if (x.rank !== this.broadcastShape.length || this.keepAxes.some((a) => x.shape[a] !== this.broadcastShape[a])) {
      throw new Error(`${this.label}: expects inputs whose kept axes ${JSON.stringify(this.keepAxes)} have sizes ${JSON.stringify(this.keepAxes.map((a) => this.broadcastShape[a]))}, got shape ${formatShape(x.shape)}`);
    }
    const [m, v] = this.stats();
    const std = maximum(sqrt(v), EPSILON);
    return this.invert ? add(m, mul(x, std)) : div(sub(x, m), std);
  }

  override getConfig() {
    return { ...super.getConfig(), axis: this.axis === null ? null : this.axis.length === 1 ? this.axis[0] : [...this.axis], invert: this.invert, mean: this.inputMean, variance: this.inputVariance };
  }
}

/** Mean and (population) variance over all axes but `keep`, in float64, in row-major order of the kept axes. */
function keptMoments(t: Tensor, keep: readonly number[]): { mean: Float64Array; variance: Float64Array } {
  const shape = t.shape;
  const keptSizes = keep.map((a) => shape[a]!);
  const groups = keptSizes.reduce((p, d) => p * d, 1);
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
  const sums = new Float64Array(groups), sq = new Float64Array(groups), counts = new Float64Array(groups);
  const values = t.values;
  for (let i = 0; i < t.size; i++) {
    let g = 0;
    for (let k = 0; k < keep.length; k++) g = g * keptSizes[k]! + (Math.floor(i / strides[keep[k]!]!) % shape[keep[k]!]!);
    sums[g]! += values[i]!;
    counts[g]! += 1;
  }
  const mean = sums.map((s, g) => s / counts[g]!);
  for (let i = 0; i < t.size; i++) {
    let g = 0;
    for (let k = 0; k < keep.length; k++) g = g * keptSizes[k]! + (Math.floor(i / strides[keep[k]!]!) % shape[keep[k]!]!);
    sq[g]! += (values[i]! - mean[g]!) ** 2;
  }
  return { mean, variance: sq.map((s, g) => s / counts[g]!) };
}

function tensorFromNested(data: ArrayLike<unknown>, owner: string): Tensor {
  const shape: number[] = [];
  let level: unknown = data;
  while (Array.isArray(level) || ArrayBuffer.isView(level)) {
    shape.push((level as ArrayLike<unknown>).length);
    level = (level as ArrayLike<unknown>)[0];
  }
  const flat = (Array.isArray(data) ? (data as unknown[]).flat(Infinity) : Array.from(data)) as unknown[];
  if (!flat.every(isFiniteNumber) || flat.length !== shape.reduce((p, d) => p * d, 1)) {
    throw new Error(`${owner}: adapt expects a Tensor or a rectangular nested array of finite numbers`);
  }
  return new Tensor(Float32Array.from(flat as number[]), shape);
}

/** How `Resizing` samples the input: 'bilinear' or 'nearest' (Keras' `interpolation`). */
export type Interpolation = 'bilinear' | 'nearest';

export interface ResizingArgs extends LayerArgs {
  /** 'bilinear' (default) or 'nearest', with half-pixel centers (Keras 3 / TensorFlow 2). */
  interpolation?: Interpolation;
  /** Crop the largest central box with the target aspect ratio before resizing (default false). */
  cropToAspectRatio?: boolean;
  padToAspectRatio?: false;
  fillMode?: 'constant';
  fillValue?: number;
  antialias?: false;
  dataFormat?: 'channels_last' | null;
}

/** Keras 3's central crop box with the target aspect ratio: [top, left, height, width]. */
function aspectCropBox(h: number, w: number, th: number, tw: number): [number, number, number, number] {
  const ch = Math.max(Math.min(h, Math.trunc((w * th) / tw)), 1);
  const cw = Math.max(Math.min(w, Math.trunc((h * tw) / th)), 1);
  return [Math.trunc((h - ch) / 2), Math.trunc((w - cw) / 2), ch, cw];
}

/** Crops `x` (NHWC or HWC) to a box. */
function cropBox(x: Tensor, top: number, left: number, h: number, w: number): Tensor {
  return x.rank === 4 ? slice(x, [0, top, left, 0], [x.shape[0]!, h, w, x.shape[3]!]) : slice(x, [top, left, 0], [h, w, x.shape[2]!]);
}

function checkImage(owner: string, shape: readonly (number | null)[]): void {
  if (shape.length !== 4 && shape.length !== 3) {
    throw new Error(`${owner} expects images [batch, height, width, channels] (or one [height, width, channels]), got shape ${formatSymbolicShape(shape)}`);
  }
}

/** Resizes NHWC images to `[height, width]`: `new Resizing(224, 224)`. */
export class Resizing extends Layer {
  static override readonly className = 'Resizing';
  static override readonly positionalArgs = ['height', 'width'];
  readonly height: number;
  readonly width: number;
  readonly interpolation: Interpolation;
  readonly cropToAspectRatio: boolean;
  constructor(height: number, width: number, args: ResizingArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['height', 'width', 'interpolation', 'cropToAspectRatio', 'padToAspectRatio', 'fillMode', 'fillValue', 'antialias', 'dataFormat'], []);
    this.height = positiveInt(this.label, 'height', height);
    this.width = positiveInt(this.label, 'width', width);
    const interpolation = args.interpolation ?? 'bilinear';
    if (interpolation !== 'bilinear' && interpolation !== 'nearest') {
      throw new Error(`${this.label}: interpolation must be 'bilinear' or 'nearest' (minikeras has no ${JSON.stringify(interpolation)}), got ${JSON.stringify(args.interpolation)}`);
    }
    this.interpolation = interpolation;
    this.cropToAspectRatio = args.cropToAspectRatio ?? false;
    if (args.padToAspectRatio) throw new Error(`${this.label}: padToAspectRatio is not supported by minikeras; use cropToAspectRatio or resize as is`);
    if (args.antialias) throw new Error(`${this.label}: antialias is not supported by minikeras`);
    if (args.fillMode != null && args.fillMode !== 'constant') throw new Error(`${this.label}: fillMode must be 'constant', got ${JSON.stringify(args.fillMode)}`);
    if (args.fillValue != null) numberOption(this.label, 'fillValue', args.fillValue, () => true, 'a finite number');
    checkDataFormat(this.label, args.dataFormat);
  }
  call(x: Tensor): Tensor {
    checkImage(this.label, x.shape);
    let input = x;
    if (this.cropToAspectRatio) {
      const [h, w] = x.rank === 4 ? [x.shape[1]!, x.shape[2]!] : [x.shape[0]!, x.shape[1]!];
      const [top, left, ch, cw] = aspectCropBox(h, w, this.height, this.width);
      if (ch !== h || cw !== w) input = cropBox(x, top, left, ch, cw);
    }
    const size: [number, number] = [this.height, this.width];
    return this.interpolation === 'bilinear' ? resizeBilinear(input, size) : resizeNearestNeighbor(input, size);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    checkImage(this.label, inputShape);
    return inputShape.length === 4 ? [inputShape[0] ?? null, this.height, this.width, inputShape[3] ?? null] : [this.height, this.width, inputShape[2] ?? null];
  }
  override getConfig() {
    return {
      ...super.getConfig(), height: this.height, width: this.width, interpolation: this.interpolation, cropToAspectRatio: this.cropToAspectRatio,
      padToAspectRatio: false, fillMode: 'constant', fillValue: 0, antialias: false, dataFormat: 'channels_last',
    };
  }
}

/**
 * Crops the center `[height, width]` of NHWC images (the start rounded down, as Keras). An image smaller
 * than the target is instead resized to it, after cropping to the target's aspect ratio (Keras' `smart_resize`).
 */
export class CenterCrop extends Layer {
  static override readonly className = 'CenterCrop';
  static override readonly positionalArgs = ['height', 'width'];
  readonly height: number;
  readonly width: number;
  constructor(height: number, width: number, args: LayerArgs & { dataFormat?: 'channels_last' | null } = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['height', 'width', 'dataFormat']);
    checkDataFormat(this.label, (args as { dataFormat?: unknown }).dataFormat);
    this.height = positiveInt(this.label, 'height', height);
    this.width = positiveInt(this.label, 'width', width);
  }
  call(x: Tensor): Tensor {
    checkImage(this.label, x.shape);
    const [h, w] = x.rank === 4 ? [x.shape[1]!, x.shape[2]!] : [x.shape[0]!, x.shape[1]!];
    const dh = h - this.height, dw = w - this.width;
    if (dh >= 0 && dw >= 0) return cropBox(x, Math.trunc(dh / 2), Math.trunc(dw / 2), this.height, this.width);
    const [top, left, ch, cw] = aspectCropBox(h, w, this.height, this.width);
    return resizeBilinear(cropBox(x, top, left, ch, cw), [this.height, this.width]);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    checkImage(this.label, inputShape);
    return inputShape.length === 4 ? [inputShape[0] ?? null, this.height, this.width, inputShape[3] ?? null] : [this.height, this.width, inputShape[2] ?? null];
  }
  override getConfig() {
    return { ...super.getConfig(), height: this.height, width: this.width, dataFormat: 'channels_last' };
  }
}

/** `CategoryEncoding`'s `outputMode`: one-hot per id, multi-hot per sample, or counts per sample. */
export type CategoryOutputMode = 'one_hot' | 'multi_hot' | 'count';

export interface CategoryEncodingArgs extends LayerArgs {
  /** The number of categories; inputs are integers in [0, numTokens). */
  numTokens: number;
  /** 'multi_hot' (default): 1 for each category present; 'count': how often; 'one_hot': one vector per input value. */
  outputMode?: CategoryOutputMode | 'oneHot' | 'multiHot';
  sparse?: false;
}

/**
 * Encodes integer category ids as vectors of length `numTokens` (Keras 3): `[batch, k]` ids give
 * `[batch, numTokens]` in 'multi_hot' and 'count' modes; in 'one_hot' mode `[batch]` or `[batch, 1]` ids give
 * `[batch, numTokens]` and `[batch, k]` ids give `[batch, k, numTokens]`. Not differentiable (integer input).
 */
export class CategoryEncoding extends Layer {
  static override readonly className = 'CategoryEncoding';
  readonly numTokens: number;
  readonly outputMode: CategoryOutputMode;
  constructor(args: CategoryEncodingArgs) {
    super(args ?? {});
    checkLayerOptions(this.label, args ?? {}, ['numTokens', 'outputMode', 'sparse']);
    if (args?.sparse) throw new Error(`${this.label}: sparse outputs are not supported by minikeras`);
    this.numTokens = positiveInt(this.label, 'numTokens', args?.numTokens);
    const mode = { oneHot: 'one_hot', multiHot: 'multi_hot' }[args.outputMode as string] ?? args.outputMode ?? 'multi_hot';
    if (mode !== 'one_hot' && mode !== 'multi_hot' && mode !== 'count') {
      throw new Error(`${this.label}: outputMode must be 'one_hot', 'multi_hot' or 'count', got ${JSON.stringify(args.outputMode)}`);
    }
    this.outputMode = mode;
  }
  call(x: Tensor): Tensor {
    for (let i = 0; i < x.size; i++) {
      const v = x.values[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= this.numTokens) {
        throw new Error(`${this.label}: inputs must be integers in [0, ${this.numTokens}), got ${v}`);
      }
    }
    const ids = cast(x, 'int32');
    if (this.outputMode === 'one_hot') {
      const squeezed = ids.rank >= 2 && ids.shape[ids.rank - 1] === 1 ? reshape(ids, ids.shape.slice(0, -1)) : ids;
      return oneHot(squeezed, this.numTokens);
    }
    const rows = ids.rank === 1 ? reshape(ids, [1, ids.shape[0]!]) : ids;
    const counts = sum(oneHot(rows, this.numTokens), rows.rank - 1);
    const out = this.outputMode === 'count' ? counts : greater(counts, 0);
    return ids.rank === 1 ? reshape(out, [this.numTokens]) : out;
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length === 0) throw new Error(`${this.label}: expects inputs of rank >= 1, got a scalar`);
    if (this.outputMode === 'one_hot') {
      const base = inputShape.length >= 2 && inputShape[inputShape.length - 1] === 1 ? inputShape.slice(0, -1) : inputShape;
      return [...base, this.numTokens];
    }
    return inputShape.length === 1 ? [this.numTokens] : [...inputShape.slice(0, -1), this.numTokens];
  }
  override getConfig() {
    return { ...super.getConfig(), numTokens: this.numTokens, outputMode: this.outputMode, sparse: false };
  }
}

export interface MaskingArgs extends LayerArgs {
  /** Time steps whose features all equal it are masked (default 0). */
  maskValue?: number;
}

/**
 * Masks the time steps of `[batch, steps, features]` whose features all equal `maskValue`: their outputs
 * are zeroed and a mask `[batch, steps]` rides along to mask-aware layers (GlobalAveragePooling1D, Softmax).
 */
export class Masking extends ShapePreserving {
  static override readonly className = 'Masking';
  readonly maskValue: number;
  constructor(args: MaskingArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['maskValue']);
    this.maskValue = numberOption(this.label, 'maskValue', args.maskValue ?? 0, () => true, 'a finite number');
    this.supportsMasking = true;
  }
  private keep(x: Tensor): Tensor {
    // notEqual gives a 0/1 mask; its maximum over the features is 'any'.
    return max(notEqual(x, this.maskValue), -1, true);
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    if (x.rank < 2) throw new Error(`${this.label} expects inputs [batch, steps, features] (rank >= 2), got shape ${formatShape(x.shape)}`);
    return mul(x, this.keep(x));
  }
  protected override get producesMask(): boolean {
    return true;
  }
  override computeMask(inputs: Nested<Tensor>): Tensor {
    const x = inputs as Tensor;
    return reshape(this.keep(x), x.shape.slice(0, -1));
  }
  override getConfig() {
    return { ...super.getConfig(), maskValue: this.maskValue };
  }
}

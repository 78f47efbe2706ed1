/**
 * Reshaping layers of Keras 3 (`keras/src/layers/reshaping/`): ZeroPadding1D/2D/3D, Cropping1D/2D/3D,
 * UpSampling1D/2D/3D (nearest, and bilinear in 2-D), Permute and RepeatVector. All are channels-last and
 * differentiate through pad / slice / repeat / resize / transpose.
 */
import { expandDims, formatShape, pad, repeat, resizeBilinear, slice, tile, transpose } from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';
import { Layer, positiveInt } from '../../engine/layer';
import type { LayerArgs, SymbolicShape } from '../../engine/layer';
import { LAYOUTS, checkDataFormat, checkLayerOptions, checkRank, formatSymbolicShape, normalizeTuple } from '../layer-utils';

type Rank = 1 | 2 | 3;
const AXIS_NAMES: Record<Rank, string[]> = { 1: ['steps'], 2: ['height', 'width'], 3: ['depth', 'height', 'width'] };

/**
 * Keras' padding/cropping argument: an int (same on both sides of every axis), one int per axis (same on
 * both sides), or one `[before, after]` pair per axis. In 1-D: an int or a `[before, after]` pair.
 */
function normalizeAmounts(owner: string, option: string, value: unknown, rank: Rank): [number, number][] {
  const bad = () => new Error(`${owner}: ${option} must be a non-negative integer${rank === 1 ? ' or a [before, after] pair' : `, a list of ${rank} of them, or ${rank} [before, after] pairs`}, got ${JSON.stringify(value)}`);
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (ok(value)) return Array.from({ length: rank }, () => [value, value]);
  if (!Array.isArray(value)) throw bad();
  if (rank === 1) {
    if (value.length === 2 && value.every(ok)) return [[value[0], value[1]]];
    // tfjs-style [[before, after]].
    if (value.length === 1 && Array.isArray(value[0]) && value[0].length === 2 && value[0].every(ok)) return [[value[0][0], value[0][1]]];
    throw bad();
  }
  if (value.length !== rank) throw bad();
  return value.map((v) => {
    if (ok(v)) return [v, v] as [number, number];
    if (Array.isArray(v) && v.length === 2 && v.every(ok)) return [v[0], v[1]] as [number, number];
    throw bad();
  });
}

/** Constructor form shared by layers whose Keras first argument has a default: `new L(value, args)` or `new L(args)`. */
function splitArgs<A extends LayerArgs>(first: unknown, maybeArgs: A | undefined, key: string): { value: unknown; args: A } {
  const isArgs = first !== null && typeof first === 'object' && !Array.isArray(first);
  const args = (isArgs ? first : (maybeArgs ?? {})) as A;
  return { value: isArgs ? (args as Record<string, unknown>)[key] : first, args };
}

/** Padding or cropping: one amount for every side, one per axis (both sides), or `[before, after]` per axis. */
export type PaddingAmount = number | readonly number[] | readonly (readonly [number, number])[];

export interface ZeroPaddingArgs extends LayerArgs {
  /** Default 1 on both sides of every spatial axis. */
  padding?: PaddingAmount;
  dataFormat?: 'channels_last' | null;
}

abstract class ZeroPadding extends Layer {
  readonly rank: Rank;
  readonly padding: [number, number][];
  constructor(rank: Rank, first: PaddingAmount | ZeroPaddingArgs | undefined, maybeArgs: ZeroPaddingArgs | undefined) {
    const { value, args } = splitArgs<ZeroPaddingArgs>(first, maybeArgs, 'padding');
    super(args);
    checkLayerOptions(this.label, args, ['padding', 'dataFormat']);
    checkDataFormat(this.label, args.dataFormat);
    this.rank = rank;
    this.padding = normalizeAmounts(this.label, 'padding', value ?? 1, rank);
  }
  call(x: Tensor): Tensor {
    checkRank(this.label, x.shape, this.rank + 2, LAYOUTS[this.rank]);
    return pad(x, [[0, 0], ...this.padding, [0, 0]]);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    checkRank(this.label, inputShape, this.rank + 2, LAYOUTS[this.rank]);
    return inputShape.map((d, i) => (i === 0 || i > this.rank || d === null ? d : d + this.padding[i - 1]![0] + this.padding[i - 1]![1]));
  }
  override getConfig(): Record<string, unknown> {
    const padding = this.rank === 1 ? [...this.padding[0]!] : this.padding.map((p) => [...p]);
    return { ...super.getConfig(), padding, dataFormat: 'channels_last' };
  }
}

/** Zeros before and after the steps of `[batch, steps, channels]`: `new ZeroPadding1D(2)` or `new ZeroPadding1D([1, 3])`. */
export class ZeroPadding1D extends ZeroPadding {
  static override readonly className = 'ZeroPadding1D';
  constructor(padding?: PaddingAmount | ZeroPaddingArgs, args?: ZeroPaddingArgs) {
    super(1, padding, args);
  }
}
/** Zeros around NHWC images: `1`, `[padH, padW]` or `[[top, bottom], [left, right]]`. */
export class ZeroPadding2D extends ZeroPadding {
  static override readonly className = 'ZeroPadding2D';
  constructor(padding?: PaddingAmount | ZeroPaddingArgs, args?: ZeroPaddingArgs) {
    super(2, padding, args);
  }
}
/** Zeros around `[batch, depth, height, width, channels]` volumes. */
export class ZeroPadding3D extends ZeroPadding {
  static override readonly className = 'ZeroPadding3D';
  constructor(padding?: PaddingAmount | ZeroPaddingArgs, args?: ZeroPaddingArgs) {
    super(3, padding, args);
  }
}

export interface CroppingArgs extends LayerArgs {
  /** Rows/columns removed at each end: Keras' defaults are [1, 1] in 1-D, 0 in 2-D and 1 in 3-D. */
  cropping?: PaddingAmount;
  dataFormat?: 'channels_last' | null;
}

abstract class Cropping extends Layer {
  readonly rank: Rank;
  readonly cropping: [number, number][];
  constructor(rank: Rank, first: PaddingAmount | CroppingArgs | undefined, maybeArgs: CroppingArgs | undefined) {
    const { value, args } = splitArgs<CroppingArgs>(first, maybeArgs, 'cropping');
    super(args);
    checkLayerOptions(this.label, args, ['cropping', 'dataFormat']);
    checkDataFormat(this.label, args.dataFormat);
    this.rank = rank;
    this.cropping = normalizeAmounts(this.label, 'cropping', value ?? (rank === 2 ? 0 : 1), rank);
  }
  private cropped(shape: SymbolicShape): (number | null)[] {
    checkRank(this.label, shape, this.rank + 2, LAYOUTS[this.rank]);
    return this.cropping.map(([a, b], i) => {
      const d = shape[i + 1]!;
      if (d === null) return null;
      if (a + b >= d) {
        throw new Error(`${this.label}: cropping ${a} + ${b} from the ${AXIS_NAMES[this.rank][i]} axis of an input of shape ${formatSymbolicShape(shape)} leaves nothing`);
      }
      return d - a - b;
    });
  }
  call(x: Tensor): Tensor {
    const sizes = this.cropped(x.shape) as number[];
    return slice(x, [0, ...this.cropping.map((c) => c[0]), 0], [x.shape[0]!, ...sizes, x.shape[this.rank + 1]!]);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [inputShape[0] ?? null, ...this.cropped(inputShape), inputShape[this.rank + 1] ?? null];
  }
  override getConfig(): Record<string, unknown> {
    const cropping = this.rank === 1 ? [...this.cropping[0]!] : this.cropping.map((p) => [...p]);
    return { ...super.getConfig(), cropping, dataFormat: 'channels_last' };
  }
}

/** Removes steps at both ends of `[batch, steps, channels]` (default [1, 1]). */
export class Cropping1D extends Cropping {
  static override readonly className = 'Cropping1D';
  constructor(cropping?: PaddingAmount | CroppingArgs, args?: CroppingArgs) {
    super(1, cropping, args);
  }
}
/** Removes rows and columns at the borders of NHWC images: `[[top, bottom], [left, right]]` (default 0). */
export class Cropping2D extends Cropping {
  static override readonly className = 'Cropping2D';
  constructor(cropping?: PaddingAmount | CroppingArgs, args?: CroppingArgs) {
    super(2, cropping, args);
  }
}
/** Removes borders of `[batch, depth, height, width, channels]` volumes (default 1 everywhere). */
export class Cropping3D extends Cropping {
  static override readonly className = 'Cropping3D';
  constructor(cropping?: PaddingAmount | CroppingArgs, args?: CroppingArgs) {
    super(3, cropping, args);
  }
}

export interface UpSamplingArgs extends LayerArgs {
  /** Repetitions per spatial axis (default 2). */
  size?: number | readonly number[];
  dataFormat?: 'channels_last' | null;
  /** UpSampling2D only: 'nearest' (default) or 'bilinear' (half-pixel centers, Keras 3 / TensorFlow 2). */
  interpolation?: 'nearest' | 'bilinear';
}

abstract class UpSampling extends Layer {
  readonly rank: Rank;
  readonly size: number[];
  readonly interpolation: 'nearest' | 'bilinear';
  constructor(rank: Rank, first: number | readonly number[] | UpSamplingArgs | undefined, maybeArgs: UpSamplingArgs | undefined) {
    const { value, args } = splitArgs<UpSamplingArgs>(first, maybeArgs, 'size');
    super(args);
    checkLayerOptions(this.label, args, rank === 2 ? ['size', 'dataFormat', 'interpolation'] : rank === 1 ? ['size'] : ['size', 'dataFormat']);
    checkDataFormat(this.label, args.dataFormat);
    this.rank = rank;
    this.size = normalizeTuple(this.label, 'size', value ?? 2, rank);
    const interpolation = args.interpolation ?? 'nearest';
    if (interpolation !== 'nearest' && interpolation !== 'bilinear') {
      throw new Error(`${this.label}: interpolation must be 'nearest' or 'bilinear', got ${JSON.stringify(args.interpolation)}`);
    }
    this.interpolation = interpolation;
  }
  call(x: Tensor): Tensor {
    checkRank(this.label, x.shape, this.rank + 2, LAYOUTS[this.rank]);
    if (this.interpolation === 'bilinear') {
      return resizeBilinear(x, [x.shape[1]! * this.size[0]!, x.shape[2]! * this.size[1]!]);
    }
    let y = x;
    this.size.forEach((s, i) => { if (s !== 1) y = repeat(y, s, i + 1); });
    return y;
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    checkRank(this.label, inputShape, this.rank + 2, LAYOUTS[this.rank]);
    return inputShape.map((d, i) => (i === 0 || i > this.rank || d === null ? d : d * this.size[i - 1]!));
  }
  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { ...super.getConfig(), size: this.rank === 1 ? this.size[0] : [...this.size] };
    if (this.rank > 1) config.dataFormat = 'channels_last';
    if (this.rank === 2) config.interpolation = this.interpolation;
    return config;
  }
}

/** Repeats each step `size` times: `[batch, steps, c]` -> `[batch, steps * size, c]`. */
export class UpSampling1D extends UpSampling {
  static override readonly className = 'UpSampling1D';
  constructor(size?: number | UpSamplingArgs, args?: UpSamplingArgs) {
    super(1, size, args);
  }
}
/** Repeats rows and columns (nearest) or interpolates bilinearly: `new UpSampling2D(2, { interpolation: 'bilinear' })`. */
export class UpSampling2D extends UpSampling {
  static override readonly className = 'UpSampling2D';
  constructor(size?: number | readonly number[] | UpSamplingArgs, args?: UpSamplingArgs) {
    super(2, size, args);
  }
}
/** Repeats each voxel along depth, height and width. */
export class UpSampling3D extends UpSampling {
  static override readonly className = 'UpSampling3D';
  constructor(size?: number | readonly number[] | UpSamplingArgs, args?: UpSamplingArgs) {
    super(3, size, args);
  }
}

/** Permutes the non-batch axes: `dims` is 1-based, `new Permute([2, 1])` swaps the two axes of `[batch, a, b]`. */
export class Permute extends Layer {
  static override readonly className = 'Permute';
  static override readonly positionalArgs = ['dims'];
  readonly dims: number[];
  constructor(dims: readonly number[], args: LayerArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['dims']);
    const sorted = Array.isArray(dims) ? [...dims].sort((a, b) => a - b) : [];
    if (!Array.isArray(dims) || dims.length === 0 || sorted.some((d, i) => d !== i + 1)) {
      throw new Error(`${this.label}: dims must be a permutation of 1..n (1-based, the batch axis is not included), got ${JSON.stringify(dims)}`);
    }
    this.dims = [...dims];
  }
  private check(shape: readonly (number | null)[]): void {
    if (shape.length !== this.dims.length + 1) {
      throw new Error(`${this.label}: dims ${JSON.stringify(this.dims)} permute ${this.dims.length} axes, but the input of shape ${formatSymbolicShape(shape)} has ${shape.length - 1} (plus the batch)`);
    }
  }
  call(x: Tensor): Tensor {
    this.check(x.shape);
    return transpose(x, [0, ...this.dims]);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    this.check(inputShape);
    return [inputShape[0] ?? null, ...this.dims.map((d) => inputShape[d] ?? null)];
  }
  override getConfig() {
    return { ...super.getConfig(), dims: [...this.dims] };
  }
}

/** Repeats a vector `n` times: `[batch, features]` -> `[batch, n, features]` (the encoder-decoder bridge). */
export class RepeatVector extends Layer {
  static override readonly className = 'RepeatVector';
  static override readonly positionalArgs = ['n'];
  readonly n: number;
  constructor(n: number, args: LayerArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['n']);
    this.n = positiveInt(this.label, 'n', n);
  }
  call(x: Tensor): Tensor {
    if (x.rank !== 2) throw new Error(`${this.label} expects a 2-D input [batch, features], got shape ${formatShape(x.shape)}`);
    return tile(expandDims(x, 1), [1, this.n, 1]);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    checkRank(this.label, inputShape, 2, '[batch, features]');
    return [inputShape[0] ?? null, this.n, inputShape[1] ?? null];
  }
  override getConfig() {
    return { ...super.getConfig(), n: this.n };
  }
}

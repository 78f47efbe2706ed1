/** Weight initializers with Keras 3 names, defaults and formulas; every draw is seeded. */
import { Tensor, rngFor, formatShape } from '@minikeras/tensor';
import type { Random } from '@minikeras/tensor';
import { didYouMean } from './activations';

/** Which fan {@link VarianceScaling} divides by (Keras 3 `mode`): inputs, outputs or their mean. */
export type FanMode = 'fan_in' | 'fan_out' | 'fan_avg';
/** What {@link VarianceScaling} draws from (Keras 3 `distribution`). */
export type Distribution = 'truncated_normal' | 'untruncated_normal' | 'uniform';

/**
 * Base class of weight initializers (Keras 3 `keras.initializers.Initializer`): `generate(shape)` returns a new tensor.
 */
export abstract class Initializer {
  abstract readonly className: string;
  /** Returns a new float32 tensor of `shape`. */
  abstract generate(shape: readonly number[]): Tensor;
  /** The constructor options, as saved in a model's config. */
  getConfig(): Record<string, unknown> { return {}; }
}

/** Keras' fan computation: the last two axes are (in, out); leading axes are the receptive field. */
export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  const receptive = shape.slice(0, -2).reduce((p, d) => p * d, 1);
  return { fanIn: shape[shape.length - 2]! * receptive, fanOut: shape[shape.length - 1]! * receptive };
}

function fill(shape: readonly number[], f: (i: number) => number): Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = f(i);
  return new Tensor(v, shape);
}

/** A seeded initializer draws the same values on every call, as Keras 3 does for a fixed seed. */
abstract class RandomInitializer extends Initializer {
  readonly seed: number | undefined;
  constructor(seed?: number) { super(); this.seed = seed; }
  protected rng(): Random { return rngFor(this.seed); }
  override getConfig(): Record<string, unknown> { return this.seed === undefined ? {} : { seed: this.seed }; }
}

/** Fills with 0 (Keras 3 `keras.initializers.Zeros`). */
export class Zeros extends Initializer {
  readonly className = 'Zeros';
  generate(shape: readonly number[]): Tensor { return fill(shape, () => 0); }
}

/** Fills with 1 (Keras 3 `keras.initializers.Ones`). */
export class Ones extends Initializer {
  readonly className = 'Ones';
  generate(shape: readonly number[]): Tensor { return fill(shape, () => 1); }
}

/** Fills with `value`, default 0 (Keras 3 `keras.initializers.Constant`). */
export class Constant extends Initializer {
  readonly className = 'Constant';
  readonly value: number;
  constructor(options: { value?: number } = {}) { super(); this.value = options.value ?? 0; }
  generate(shape: readonly number[]): Tensor { return fill(shape, () => this.value); }
  override getConfig() { return { value: this.value }; }
}

/** Normal draws with `mean` (default 0) and `stddev` (default 0.05) (Keras 3 `keras.initializers.RandomNormal`). */
export class RandomNormal extends RandomInitializer {
  readonly className = 'RandomNormal';
  readonly mean: number;
  readonly stddev: number;
  constructor(options: { mean?: number; stddev?: number; seed?: number } = {}) {
    super(options.seed);
    this.mean = options.mean ?? 0;
    this.stddev = options.stddev ?? 0.05;
  }
  generate(shape: readonly number[]): Tensor { const r = this.rng(); return fill(shape, () => this.mean + this.stddev * r.normal()); }
  override getConfig() { return { mean: this.mean, stddev: this.stddev, ...super.getConfig() }; }
}

/** Uniform draws in `[minval, maxval)`, default `[-0.05, 0.05)` (Keras 3 `keras.initializers.RandomUniform`). */
export class RandomUniform extends RandomInitializer {
  readonly className = 'RandomUniform';
  readonly minval: number;
  readonly maxval: number;
  constructor(options: { minval?: number; maxval?: number; seed?: number } = {}) {
    super(options.seed);
    this.minval = options.minval ?? -0.05;
    this.maxval = options.maxval ?? 0.05;
  }
  generate(shape: readonly number[]): Tensor {
    const r = this.rng();
    return fill(shape, () => this.minval + (this.maxval - this.minval) * r.uniform());
  }
  override getConfig() { return { minval: this.minval, maxval: this.maxval, ...super.getConfig() }; }
}

function truncatedNormalSample(r: Random): number {
  let z = r.normal();
  while (z < -2 || z > 2) z = r.normal();
  return z;
}

/**
 * Normal draws with `mean` (default 0) and `stddev` (default 0.05), redrawn beyond two standard deviations
 * (Keras 3 `keras.initializers.TruncatedNormal`).
 */
export class TruncatedNormal extends RandomInitializer {
  readonly className = 'TruncatedNormal';
  readonly mean: number;
  readonly stddev: number;
  constructor(options: { mean?: number; stddev?: number; seed?: number } = {}) {
    super(options.seed);
    this.mean = options.mean ?? 0;
    this.stddev = options.stddev ?? 0.05;
  }
  generate(shape: readonly number[]): Tensor { const r = this.rng(); return fill(shape, () => this.mean + this.stddev * truncatedNormalSample(r)); }
  override getConfig() { return { mean: this.mean, stddev: this.stddev, ...super.getConfig() }; }
}

/**
 * Options of {@link VarianceScaling} (Keras 3 `VarianceScaling`'s arguments): `scale` (positive, default 1), `mode`
 * (default `'fan_in'`), `distribution` (default `'truncated_normal'`) and `seed` (the same values on every call when given).
 */
export interface VarianceScalingOptions { scale?: number; mode?: FanMode; distribution?: Distribution; seed?: number }

/**
 * Keras' VarianceScaling: variance = scale / n, n from the fan mode. The truncated normal's stddev is
 * divided by 0.87962566103423978, the stddev of a unit normal truncated to [-2, 2], so the variance is exact.
 */
export class VarianceScaling extends RandomInitializer {
  className = 'VarianceScaling';
  readonly scale: number;
  readonly mode: FanMode;
  readonly distribution: Distribution;
  constructor(options: VarianceScalingOptions = {}) {
    super(options.seed);
    this.scale = options.scale ?? 1;
    this.mode = options.mode ?? 'fan_in';
    this.distribution = options.distribution ?? 'truncated_normal';
    if (!(this.scale > 0)) throw new Error(`VarianceScaling: scale must be positive, got ${this.scale}`);
    if (!['fan_in', 'fan_out', 'fan_avg'].includes(this.mode)) throw new Error(`VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', got '${this.mode}'`);
    if (!['truncated_normal', 'untruncated_normal', 'uniform'].includes(this.distribution)) {
      throw new Error(`VarianceScaling: distribution must be 'truncated_normal', 'untruncated_normal' or 'uniform', got '${this.distribution}'`);
    }
  }
  generate(shape: readonly number[]): Tensor {
    const { fanIn, fanOut } = computeFans(shape);
    const n = this.mode === 'fan_in' ? fanIn : this.mode === 'fan_out' ? fanOut : (fanIn + fanOut) / 2;
    const variance = this.scale / Math.max(1, n);
    const r = this.rng();
    if (this.distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      return fill(shape, () => -limit + 2 * limit * r.uniform());
    }
    if (this.distribution === 'untruncated_normal') {
      const std = Math.sqrt(variance);
      return fill(shape, () => std * r.normal());
    }
    const std = Math.sqrt(variance) / 0.87962566103423978;
    return fill(shape, () => std * truncatedNormalSample(r));
  }
  override getConfig(): Record<string, unknown> { return { scale: this.scale, mode: this.mode, distribution: this.distribution, ...super.getConfig() }; }
}

/** A VarianceScaling with fixed settings, configured by its seed alone (Keras' named presets). */
abstract class VarianceScalingPreset extends VarianceScaling {
  constructor(className: string, scale: number, mode: FanMode, distribution: Distribution, options: { seed?: number }) {
    super({ scale, mode, distribution, ...(options.seed === undefined ? {} : { seed: options.seed }) });
    this.className = className;
  }
  override getConfig(): Record<string, unknown> { return this.seed === undefined ? {} : { seed: this.seed }; }
}

/** Uniform in `[-limit, limit]`, `limit = sqrt(6 / (fanIn + fanOut))` (Keras 3 `keras.initializers.GlorotUniform`). */
export class GlorotUniform extends VarianceScalingPreset {
  constructor(options: { seed?: number } = {}) { super('GlorotUniform', 1, 'fan_avg', 'uniform', options); }
}
/** Truncated normal with stddev `sqrt(2 / (fanIn + fanOut))` (Keras 3 `keras.initializers.GlorotNormal`). */
export class GlorotNormal extends VarianceScalingPreset {
  constructor(options: { seed?: number } = {}) { super('GlorotNormal', 1, 'fan_avg', 'truncated_normal', options); }
}
/** Truncated normal with stddev `sqrt(2 / fanIn)` (Keras 3 `keras.initializers.HeNormal`). */
export class HeNormal extends VarianceScalingPreset {
  constructor(options: { seed?: number } = {}) { super('HeNormal', 2, 'fan_in', 'truncated_normal', options); }
}
/** Uniform in `[-limit, limit]`, `limit = sqrt(6 / fanIn)` (Keras 3 `keras.initializers.HeUniform`). */
export class HeUniform extends VarianceScalingPreset {
  constructor(options: { seed?: number } = {}) { super('HeUniform', 2, 'fan_in', 'uniform', options); }
}
/** Truncated normal with stddev `sqrt(1 / fanIn)` (Keras 3 `keras.initializers.LecunNormal`). */
export class LecunNormal extends VarianceScalingPreset {
  constructor(options: { seed?: number } = {}) { super('LecunNormal', 1, 'fan_in', 'truncated_normal', options); }
}
/** Uniform in `[-limit, limit]`, `limit = sqrt(3 / fanIn)` (Keras 3 `keras.initializers.LecunUniform`). */
export class LecunUniform extends VarianceScalingPreset {
  constructor(options: { seed?: number } = {}) { super('LecunUniform', 1, 'fan_in', 'uniform', options); }
}

/** Identity matrix times `gain` (2-D shapes only). */
export class Identity extends Initializer {
  readonly className = 'Identity';
  readonly gain: number;
  constructor(options: { gain?: number } = {}) { super(); this.gain = options.gain ?? 1; }
  generate(shape: readonly number[]): Tensor {
    if (shape.length !== 2) throw new Error(`Identity initializer: expected a 2-D shape, got ${formatShape(shape)}`);
    const cols = shape[1]!;
    return fill(shape, (i) => (Math.floor(i / cols) === i % cols ? this.gain : 0));
  }
  override getConfig() { return { gain: this.gain }; }
}

/**
 * A random orthogonal matrix (Keras 3 `keras.initializers.Orthogonal`, the recurrent kernels' default): a
 * normal matrix of shape [max(rows, cols), min(rows, cols)] (rows = the product of all axes but the last),
 * factored as QR, Q's columns multiplied by the signs of R's diagonal (so the draw is uniform over
 * orthogonal matrices), transposed when there are fewer rows than columns, times `gain`.
 */
export class Orthogonal extends RandomInitializer {
  readonly className = 'Orthogonal';
  readonly gain: number;
  constructor(options: { gain?: number; seed?: number } = {}) {
    super(options.seed);
    this.gain = options.gain ?? 1;
  }
  generate(shape: readonly number[]): Tensor {
    if (shape.length < 2) throw new Error(`Orthogonal initializer: expected a shape of rank 2 or more, got ${formatShape(shape)}`);
    const cols = shape[shape.length - 1]!, rows = shape.reduce((p, d) => p * d, 1) / cols;
    const m = Math.max(rows, cols), n = Math.min(rows, cols), r = this.rng();
    const a = Array.from({ length: m * n }, () => r.normal());
    // Q's columns: each column of the row-major [m, n] draw minus its projections on the previous ones
    // (Gram-Schmidt, run twice for float64 accuracy), normalized. R's diagonal (the norms) is then positive,
    // which is what Keras' multiplication of Q by sign(diag(R)) makes of any QR.
    const q: number[][] = [];
    for (let j = 0; j < n; j++) {
      const c = Array.from({ length: m }, (_, i) => a[i * n + j]!);
      for (let pass = 0; pass < 2; pass++) {
        for (const p of q) {
          const d = dot(p, c);
          for (let i = 0; i < m; i++) c[i]! -= d * p[i]!;
        }
      }
      const norm = Math.sqrt(dot(c, c));
      // A zero column (probability 0) stays zero, as Keras' sign(0) = 0 makes it.
      q.push(c.map((v) => (norm > 0 ? v / norm : 0)));
    }
    // [rows, cols] is Q ([m, n]) itself, or Q transposed when there are fewer rows than columns.
    return fill(shape, (k) => {
      const i = Math.floor(k / cols), j = k % cols;
      return this.gain * (rows >= cols ? q[j]![i]! : q[i]![j]!);
    });
  }
  override getConfig() { return { gain: this.gain, ...super.getConfig() }; }
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** The initializer classes by Keras 3 snake_case name, as `keras.initializers.get` resolves them. */
export const INITIALIZERS = {
  zeros: Zeros,
  ones: Ones,
  constant: Constant,
  random_normal: RandomNormal,
  random_uniform: RandomUniform,
  truncated_normal: TruncatedNormal,
  variance_scaling: VarianceScaling,
  glorot_uniform: GlorotUniform,
  glorot_normal: GlorotNormal,
  he_normal: HeNormal,
  he_uniform: HeUniform,
  lecun_normal: LecunNormal,
  lecun_uniform: LecunUniform,
  identity: Identity,
  orthogonal: Orthogonal,
  // Keras 3 aliases: Embedding's default `embeddings_initializer='uniform'` is RandomUniform(-0.05, 0.05).
  uniform: RandomUniform,
  normal: RandomNormal,
} as const;

type SnakeInitializerName = keyof typeof INITIALIZERS;
type CamelCase<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;
/** Keras snake_case names and the camelCase spellings tfjs uses (`'glorotUniform'`, `'heNormal'`, ...). */
export type InitializerName = SnakeInitializerName | CamelCase<SnakeInitializerName>;
/** An initializer given by name (`'he_normal'` or `'heNormal'`) or as an instance. */
export type InitializerIdentifier = InitializerName | Initializer;

const toSnake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Resolves a name to a new initializer with default options, or returns the instance given (Keras 3
 * `keras.initializers.get`). An unknown name throws, naming `owner` and the valid names.
 */
export function getInitializer(identifier: InitializerIdentifier, owner = 'initializer'): Initializer {
  if (identifier instanceof Initializer) return identifier;
  const key = toSnake(identifier) as SnakeInitializerName;
  const cls = Object.hasOwn(INITIALIZERS, key) ? INITIALIZERS[key] : undefined;
  if (!cls) {
    const names = Object.keys(INITIALIZERS);
    throw new Error(`${owner}: unknown initializer '${identifier}'${didYouMean(identifier, names)}; valid initializers are ${names.join(', ')}`);
  }
  return new cls();
}

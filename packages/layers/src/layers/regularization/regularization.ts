/**
 * Regularization layers of Keras 3 (`keras/src/layers/regularization/`): SpatialDropout1D/2D/3D,
 * GaussianNoise, GaussianDropout, AlphaDropout (active only in training) and ActivityRegularization.
 * Each random layer draws its noise in one method, `noise(shape)`, from its own seed generator (Keras 3's
 * SeedGenerator, engine/seed-generator.ts): seeded by `seed`, or from the global stream when the layer is made;
 * its state is saved with the model, so training resumes bit for bit.
 */
import { Tensor, abs, add, dropout, greaterEqual, mul, randomNormal, randomUniform, square, sub, sum, formatShape } from '@minikeras/tensor';
import { Layer } from '../../engine/layer';
import type { CallContext, LayerArgs, SymbolicShape } from '../../engine/layer';
import { LAYOUTS, checkDataFormat, checkLayerOptions, numberOption } from '../layer-utils';
import type { SeedGenerator } from '../../engine/seed-generator';

/** A layer that keeps its input's shape and passes its mask on. */
abstract class ShapePreserving extends Layer {
  override supportsMasking = true;
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return inputShape;
  }
}

export interface RandomLayerArgs extends LayerArgs {
  /** A seed for reproducible noise (default: the global stream). */
  seed?: number | null;
}

const rateOption = (owner: string, rate: unknown) => numberOption(owner, 'rate', rate, (v) => v >= 0 && v < 1, 'a number in [0, 1)');

export interface SpatialDropoutArgs extends RandomLayerArgs {
  dataFormat?: 'channels_last' | null;
}

abstract class SpatialDropout extends ShapePreserving {
  static override readonly positionalArgs = ['rate'];
  readonly rank: 1 | 2 | 3;
  readonly rate: number;
  readonly seed: number | undefined;
  private readonly seedGenerator: SeedGenerator;
  constructor(rank: 1 | 2 | 3, rate: number, args: SpatialDropoutArgs) {
    super(args);
    // tfjs writes Dropout's noise_shape (always null here) into SpatialDropout1D configs.
    checkLayerOptions(this.label, args, ['rate', 'seed', 'dataFormat'], ['noiseShape']);
    checkDataFormat(this.label, args.dataFormat);
    this.rank = rank;
    this.rate = rateOption(this.label, rate);
    this.seed = args.seed ?? undefined;
    this.seedGenerator = this.addSeedGenerator(this.seed);
  }
  /** The dropout: one keep/drop draw per (sample, channel), shared over the spatial axes. */
  protected noise(x: Tensor): Tensor {
    const shape = x.shape.map((d, i) => (i === 0 || i === x.rank - 1 ? d : 1));
    return dropout(x, this.rate, shape, this.seedGenerator.next());
  }
  call(x: Tensor, ctx: CallContext): Tensor {
    if (x.rank !== this.rank + 2) throw new Error(`${this.label} expects a ${this.rank + 2}-D input ${LAYOUTS[this.rank]}, got shape ${formatShape(x.shape)}`);
    if (!ctx.training || this.rate === 0) return x;
    return this.noise(x);
  }
  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { ...super.getConfig(), rate: this.rate, seed: this.seed ?? null };
    if (this.rank > 1) config.dataFormat = 'channels_last';
    return config;
  }
}

/** Drops whole channels of `[batch, steps, channels]` (one draw per sample and channel), for correlated features. */
export class SpatialDropout1D extends SpatialDropout {
  static override readonly className = 'SpatialDropout1D';
  constructor(rate: number, args: RandomLayerArgs = {}) {
    super(1, rate, args);
  }
}
/** Drops whole feature maps of NHWC images. */
export class SpatialDropout2D extends SpatialDropout {
  static override readonly className = 'SpatialDropout2D';
  constructor(rate: number, args: SpatialDropoutArgs = {}) {
    super(2, rate, args);
  }
}
/** Drops whole feature volumes of `[batch, depth, height, width, channels]`. */
export class SpatialDropout3D extends SpatialDropout {
  static override readonly className = 'SpatialDropout3D';
  constructor(rate: number, args: SpatialDropoutArgs = {}) {
    super(3, rate, args);
  }
}

/** Adds zero-centred Gaussian noise of standard deviation `stddev` in training. */
export class GaussianNoise extends ShapePreserving {
  static override readonly className = 'GaussianNoise';
  static override readonly positionalArgs = ['stddev'];
  readonly stddev: number;
  readonly seed: number | undefined;
  private readonly seedGenerator: SeedGenerator;
  constructor(stddev: number, args: RandomLayerArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['stddev', 'seed']);
    this.stddev = numberOption(this.label, 'stddev', stddev, (v) => v >= 0, 'a number >= 0');
    this.seed = args.seed ?? undefined;
    this.seedGenerator = this.addSeedGenerator(this.seed);
  }
  protected noise(shape: readonly number[]): Tensor {
    return randomNormal(shape, 0, this.stddev, { seed: this.seedGenerator.next() });
  }
  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training || this.stddev === 0) return x;
    return add(x, this.noise(x.shape));
  }
  override getConfig() {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed ?? null };
  }
}

/** Multiplies by Gaussian noise of mean 1 and standard deviation sqrt(rate / (1 - rate)) in training. */
export class GaussianDropout extends ShapePreserving {
  static override readonly className = 'GaussianDropout';
  static override readonly positionalArgs = ['rate'];
  readonly rate: number;
  readonly seed: number | undefined;
  private readonly seedGenerator: SeedGenerator;
  constructor(rate: number, args: RandomLayerArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['rate', 'seed']);
    this.rate = rateOption(this.label, rate);
    this.seed = args.seed ?? undefined;
    this.seedGenerator = this.addSeedGenerator(this.seed);
  }
  protected noise(shape: readonly number[]): Tensor {
    return randomNormal(shape, 1, Math.sqrt(this.rate / (1 - this.rate)), { seed: this.seedGenerator.next() });
  }
  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training || this.rate === 0) return x;
    return mul(x, this.noise(x.shape));
  }
  override getConfig() {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed ?? null };
  }
}

export interface AlphaDropoutArgs extends RandomLayerArgs {
  /** Shape of the keep/drop draw, broadcast over x (null entries take x's size). */
  noiseShape?: readonly (number | null)[] | null;
}

/** SELU's self-normalizing constants. */
const SELU_ALPHA = 1.6732632423543772, SELU_SCALE = 1.0507009873554805;

/**
 * Dropout for SELU networks (Keras 3's formula): dropped values are set to alpha' = -alpha * scale and the
 * result is rescaled to `a * x + b`, with a = ((1 - rate)(1 + rate alpha'^2))^-1/2 and b = -a alpha' rate,
 * which keeps the mean and variance of standardized inputs.
 */
export class AlphaDropout extends ShapePreserving {
  static override readonly className = 'AlphaDropout';
  static override readonly positionalArgs = ['rate'];
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;
  readonly seed: number | undefined;
  private readonly seedGenerator: SeedGenerator;
  constructor(rate: number, args: AlphaDropoutArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['rate', 'noiseShape', 'seed']);
    this.rate = rateOption(this.label, rate);
    this.noiseShape = args.noiseShape == null ? null : [...args.noiseShape];
    this.seed = args.seed ?? undefined;
    this.seedGenerator = this.addSeedGenerator(this.seed);
  }
  /** The keep mask: 1 where uniform noise >= rate. */
  protected noise(shape: readonly number[]): Tensor {
    return greaterEqual(randomUniform(shape, 0, 1, { seed: this.seedGenerator.next() }), this.rate);
  }
  call(x: Tensor, ctx: CallContext): Tensor {
    if (!ctx.training || this.rate === 0) return x;
    const shape = this.noiseShape ? this.noiseShape.map((d, i) => d ?? x.shape[i]!) : x.shape;
    if (shape.length !== x.rank || shape.some((d, i) => d !== 1 && d !== x.shape[i])) {
      throw new Error(`${this.label}: noiseShape ${JSON.stringify(this.noiseShape)} does not broadcast to the input shape ${formatShape(x.shape)}`);
    }
    const keep = this.noise(shape);
    const alphaP = -SELU_ALPHA * SELU_SCALE;
    const a = ((1 - this.rate) * (1 + this.rate * alphaP ** 2)) ** -0.5;
    const b = -a * alphaP * this.rate;
    // a * (x * keep + alphaP * (1 - keep)) + b
    return add(mul(add(mul(x, keep), mul(sub(1, keep), alphaP)), a), b);
  }
  override getConfig() {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape, seed: this.seed ?? null };
  }
}

export interface ActivityRegularizationArgs extends LayerArgs {
  /** L1 factor (default 0). */
  l1?: number;
  /** L2 factor (default 0). */
  l2?: number;
}

/**
 * Passes its input through and adds `l1 * sum(|x|) + l2 * sum(x^2)` of it to the training loss (Keras 3
 * adds the activity regularizer's value without dividing by the batch size). The penalty of each
 * training-mode call is collected by the next `regularizationLosses()` (the training step), so inference
 * calls cost nothing and hold no tensors.
 */
export class ActivityRegularization extends ShapePreserving {
  static override readonly className = 'ActivityRegularization';
  readonly l1: number;
  readonly l2: number;
  private pending: Tensor[] = [];
  constructor(args: ActivityRegularizationArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['l1', 'l2'], ['activityRegularizer']);
    this.l1 = numberOption(this.label, 'l1', args.l1 ?? 0, (v) => v >= 0, 'a number >= 0');
    this.l2 = numberOption(this.label, 'l2', args.l2 ?? 0, (v) => v >= 0, 'a number >= 0');
  }
  /** The penalty of one output. */
  penalty(x: Tensor): Tensor {
    let p: Tensor | null = null;
    if (this.l1 !== 0) p = mul(sum(abs(x)), this.l1);
    if (this.l2 !== 0) {
      const q = mul(sum(square(x)), this.l2);
      p = p ? add(p, q) : q;
    }
    return p ?? new Tensor(new Float32Array([0]), []);
  }
  call(x: Tensor, ctx: CallContext): Tensor {
    if (ctx.training && (this.l1 !== 0 || this.l2 !== 0)) this.pending.push(this.penalty(x));
    return x;
  }
  override get hasRegularizers(): boolean {
    return this.l1 !== 0 || this.l2 !== 0 || super.hasRegularizers;
  }
  override regularizationLosses(): Tensor[] {
    const out = [...super.regularizationLosses(), ...this.pending];
    this.pending = [];
    return out;
  }
  override getConfig() {
    return { ...super.getConfig(), l1: this.l1, l2: this.l2 };
  }
}

/** LayerNormalization (Keras 3): normalizes each sample over its feature axes. */
import { add, mean, mul, reciprocal, reshape, sqrt, square, sub, formatShape } from '@minikeras/tensor';
import type { Tensor, Variable } from '@minikeras/tensor';
import { Layer, checkOptions } from '../engine/layer';
import type { CallContext, LayerArgs, SymbolicShape } from '../engine/layer';
import type { InitializerIdentifier } from '../initializers';
import type { RegularizerIdentifier } from '../regularizers';
import { formatSymbolic } from './conv2d';

export interface LayerNormalizationArgs extends LayerArgs {
  /** The axis or axes to normalize over (default -1); gamma and beta have the shape of those axes. */
  axis?: number | readonly number[];
  /** Added to the variance before the square root. Default 1e-3. */
  epsilon?: number;
  /** Learn an offset `beta`. Default true. */
  center?: boolean;
  /** Learn a scale `gamma`. Default true. */
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier | null;
  gammaRegularizer?: RegularizerIdentifier | null;
}

const LN_KEYS = ['axis', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer', 'betaRegularizer', 'gammaRegularizer'];

/**
 * `gamma * (x - mean) / sqrt(variance + epsilon) + beta`, where mean and (biased) variance are taken per sample
 * over `axis`. Unlike BatchNormalization it behaves the same in training and inference.
 * Reference: Ba et al., 2016, https://arxiv.org/abs/1607.06450.
 */
export class LayerNormalization extends Layer {
  static override readonly className = 'LayerNormalization';
  readonly axis: number | readonly number[];
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly args: LayerNormalizationArgs;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  /** `axis` resolved against the input rank at build time, sorted. */
  private axes: number[] = [];
  private inputRank = 0;

  constructor(args: LayerNormalizationArgs = {}) {
    super(args);
    // Keras 3: the mask of the input (per time step) applies to the output too.
    this.supportsMasking = true;
    checkOptions(this.label, args, LN_KEYS);
    const axis = args.axis ?? -1;
    const list = typeof axis === 'number' ? [axis] : axis;
    if (!Array.isArray(list) || list.length === 0 || list.some((a) => !Number.isInteger(a))) {
      throw new Error(`${this.label}: axis must be an integer or a non-empty list of integers, got ${JSON.stringify(args.axis)}`);
    }
    this.axis = typeof axis === 'number' ? axis : [...axis];
    this.epsilon = args.epsilon ?? 1e-3;
    if (typeof this.epsilon !== 'number' || !(this.epsilon > 0)) throw new Error(`${this.label}: epsilon must be a positive number, got ${JSON.stringify(args.epsilon)}`);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.args = args;
  }

  override build(inputShape: SymbolicShape): void {
    this.axes = this.resolveAxes(inputShape);
    this.inputRank = inputShape.length;
    const shape = this.axes.map((a) => {
      const d = inputShape[a];
      if (d == null) throw new Error(`${this.label}: axis ${a} of the input must have a known size, got shape ${formatSymbolic(inputShape)}`);
      return d;
    });
    if (this.scale) this.gamma = this.addWeight('gamma', shape, { initializer: this.args.gammaInitializer ?? 'ones', regularizer: this.args.gammaRegularizer ?? null });
    if (this.center) this.beta = this.addWeight('beta', shape, { initializer: this.args.betaInitializer ?? 'zeros', regularizer: this.args.betaRegularizer ?? null });
    this.built = true;
  }

  private resolveAxes(inputShape: SymbolicShape): number[] {
    const rank = inputShape.length;
    const list = typeof this.axis === 'number' ? [this.axis] : this.axis;
    const axes = list.map((a) => {
      const r = a < 0 ? a + rank : a;
      if (r < 0 || r >= rank) throw new Error(`${this.label}: axis ${a} is out of range for an input of rank ${rank} (shape ${formatSymbolic(inputShape)})`);
      return r;
    });
    if (new Set(axes).size !== axes.length) throw new Error(`${this.label}: axis ${JSON.stringify(this.axis)} repeats an axis`);
    return axes.sort((a, b) => a - b);
  }

  call(x: Tensor, _ctx: CallContext): Tensor {
    const expected = this.axes.map((a) => x.shape[a]);
    const paramShape = this.gamma?.shape ?? this.beta?.shape;
    if (x.rank !== this.inputRank || (paramShape && paramShape.some((d, i) => d !== expected[i]))) {
      throw new Error(`${this.label} expects a rank-${this.inputRank} input with sizes ${formatShape(paramShape ?? [])} on axes ${JSON.stringify(this.axis)}, got input of shape ${formatShape(x.shape)}`);
    }
    const broadcastShape = x.shape.map((d, i) => (this.axes.includes(i) ? d : 1));
    const centered = sub(x, mean(x, this.axes, true));
    const variance = mean(square(centered), this.axes, true);
    let inv = reciprocal(sqrt(add(variance, this.epsilon)));
    if (this.gamma) inv = mul(inv, reshape(this.gamma, broadcastShape));
    const y = mul(centered, inv);
    return this.beta ? add(y, reshape(this.beta, broadcastShape)) : y;
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    this.resolveAxes(inputShape);
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: typeof this.axis === 'number' ? this.axis : [...this.axis],
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: this.args.betaInitializer ?? 'zeros',
      gammaInitializer: this.args.gammaInitializer ?? 'ones',
      betaRegularizer: this.args.betaRegularizer ?? null,
      gammaRegularizer: this.args.gammaRegularizer ?? null,
    };
  }
}

/** BatchNormalization (Keras 3): batch statistics while training, moving statistics at inference. */
import { Tensor, add, broadcastTo, div, expandDims, mean, mul, noGrad, reciprocal, reshape, sqrt, square, sub, sum, formatShape } from '@minikeras/tensor';
import type { Variable } from '@minikeras/tensor';
import { Layer, checkOptions } from '../engine/layer';
import type { CallContext, LayerArgs, SymbolicShape } from '../engine/layer';
import type { InitializerIdentifier } from '../initializers';
import type { RegularizerIdentifier } from '../regularizers';
import { formatSymbolic } from './conv2d';

export interface BatchNormalizationArgs extends LayerArgs {
  /** The features axis, normalized independently (default -1, the channels of NHWC). */
  axis?: number;
  /** Moving-average momentum: `moving = moving * momentum + batch * (1 - momentum)`. Default 0.99. */
  momentum?: number;
  /** Added to the variance before the square root. Default 1e-3. */
  epsilon?: number;
  /** Learn an offset `beta`. Default true. */
  center?: boolean;
  /** Learn a scale `gamma`. Default true. */
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  movingMeanInitializer?: InitializerIdentifier;
  movingVarianceInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier | null;
  gammaRegularizer?: RegularizerIdentifier | null;
}

const BN_KEYS = ['axis', 'momentum', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer', 'betaRegularizer', 'gammaRegularizer'];

/**
 * `gamma * (x - mean) / sqrt(variance + epsilon) + beta`, per feature along `axis`.
 *
 * In training mode (`fit`, `trainOnBatch`) mean and (biased) variance come from the current batch, over every
 * axis but `axis`, and the moving statistics are updated; at inference the moving statistics are used.
 * As in Keras, a layer with `trainable = false` always runs in inference mode and its statistics stay frozen.
 * Reference: Ioffe and Szegedy, 2015, https://arxiv.org/abs/1502.03167.
 */
export class BatchNormalization extends Layer {
  static override readonly className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private readonly args: BatchNormalizationArgs;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  movingMean: Variable | null = null;
  movingVariance: Variable | null = null;
  /** `axis` resolved against the input rank at build time. */
  private featureAxis = -1;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    // Keras 3: the mask of the input (per time step) applies to the output too.
    this.supportsMasking = true;
    checkOptions(this.label, args, BN_KEYS);
    this.axis = args.axis ?? -1;
    if (!Number.isInteger(this.axis)) throw new Error(`${this.label}: axis must be an integer, got ${JSON.stringify(args.axis)}`);
    this.momentum = args.momentum ?? 0.99;
    if (typeof this.momentum !== 'number' || !(this.momentum >= 0 && this.momentum <= 1)) throw new Error(`${this.label}: momentum must be a number in [0, 1], got ${JSON.stringify(args.momentum)}`);
    this.epsilon = args.epsilon ?? 1e-3;
    if (typeof this.epsilon !== 'number' || !(this.epsilon > 0)) throw new Error(`${this.label}: epsilon must be a positive number, got ${JSON.stringify(args.epsilon)}`);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.args = args;
  }

  override build(inputShape: SymbolicShape): void {
    const rank = inputShape.length;
    const axis = this.axis < 0 ? this.axis + rank : this.axis;
    if (axis < 0 || axis >= rank) throw new Error(`${this.label}: axis ${this.axis} is out of range for an input of rank ${rank} (shape ${formatSymbolic(inputShape)})`);
    const features = inputShape[axis];
    if (features == null) throw new Error(`${this.label}: axis ${this.axis} of the input must have a known size, got shape ${formatSymbolic(inputShape)}`);
    this.featureAxis = axis;
    const shape = [features];
    if (this.scale) this.gamma = this.addWeight('gamma', shape, { initializer: this.args.gammaInitializer ?? 'ones', regularizer: this.args.gammaRegularizer ?? null });
    if (this.center) this.beta = this.addWeight('beta', shape, { initializer: this.args.betaInitializer ?? 'zeros', regularizer: this.args.betaRegularizer ?? null });
    this.movingMean = this.addWeight('moving_mean', shape, { initializer: this.args.movingMeanInitializer ?? 'zeros', trainable: false });
    this.movingVariance = this.addWeight('moving_variance', shape, { initializer: this.args.movingVarianceInitializer ?? 'ones', trainable: false });
    this.built = true;
  }

  call(x: Tensor, ctx: CallContext): Tensor {
    const movingMean = this.movingMean!;
    const features = movingMean.size;
    const axis = this.featureAxis;
    if (x.shape[axis] !== features) {
      throw new Error(`${this.label} expects ${features} features on axis ${this.axis}, got input of shape ${formatShape(x.shape)}`);
    }
    const broadcastShape = x.shape.map((d, i) => (i === axis ? d : 1));
    const reductionAxes = x.shape.map((_, i) => i).filter((i) => i !== axis);
    let centered: Tensor;
    let variance: Tensor;
    if (ctx.training && this.trainable) {
      const mask = ctx.mask instanceof Tensor ? ctx.mask : null;
      let batchMean: Tensor;
      if (mask) {
        // Keras 3's masked `_moments`: the statistics of the unmasked steps only, the mask [batch, steps]
        // broadcast over the features; sums divided by (count + 1e-7).
        if (mask.rank !== x.rank - 1 || mask.shape.some((d, i) => d !== x.shape[i])) {
          throw new Error(`${this.label}: the mask must have the input's shape without its last axis, ${formatShape(x.shape.slice(0, -1))}, got ${formatShape(mask.shape)}`);
        }
        const m = broadcastTo(expandDims(mask, -1), x.shape);
        const weighted = mul(m, x);
        const count = add(sum(m, reductionAxes, true), 1e-7);
        batchMean = div(sum(weighted, reductionAxes, true), count);
        variance = div(sum(mul(m, square(sub(weighted, batchMean))), reductionAxes, true), count);
        centered = sub(x, batchMean);
      } else {
        batchMean = mean(x, reductionAxes, true);
        centered = sub(x, batchMean);
        variance = mean(square(centered), reductionAxes, true);
      }
      this.updateMovingStatistics(batchMean, variance);
    } else {
      centered = sub(x, reshape(movingMean, broadcastShape));
      variance = reshape(this.movingVariance!, broadcastShape);
    }
    let inv = reciprocal(sqrt(add(variance, this.epsilon)));
    if (this.gamma) inv = mul(inv, reshape(this.gamma, broadcastShape));
    const y = mul(centered, inv);
    return this.beta ? add(y, reshape(this.beta, broadcastShape)) : y;
  }

  /** A state update, not part of the model's function: it writes the variables in place, outside the graph. */
  private updateMovingStatistics(batchMean: Tensor, variance: Tensor): void {
    const m = this.momentum;
    noGrad(() => {
      for (const [moving, batch] of [[this.movingMean!, batchMean], [this.movingVariance!, variance]] as const) {
        const next = new Float32Array(moving.size);
        for (let i = 0; i < next.length; i++) next[i] = moving.values[i]! * m + batch.values[i]! * (1 - m);
        moving.assign(new Tensor(next, moving.shape));
      }
    });
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: this.args.betaInitializer ?? 'zeros',
      gammaInitializer: this.args.gammaInitializer ?? 'ones',
      movingMeanInitializer: this.args.movingMeanInitializer ?? 'zeros',
      movingVarianceInitializer: this.args.movingVarianceInitializer ?? 'ones',
      betaRegularizer: this.args.betaRegularizer ?? null,
      gammaRegularizer: this.args.gammaRegularizer ?? null,
    };
  }
}

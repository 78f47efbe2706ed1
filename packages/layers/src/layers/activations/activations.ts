/**
 * The activation layers of Keras 3 (`keras/src/layers/activations/`): ReLU with its options, LeakyReLU,
 * PReLU with a learned slope, ELU, Softmax with an axis and a mask, and tfjs' ThresholdedReLU. Each passes
 * masks through and keeps the input shape.
 */
import { Tensor, add, elu, exp, greater, leakyRelu, logSumExp, mul, neg, relu, softmax, sub, formatShape } from '@minikeras/tensor';
import type { Variable } from '@minikeras/tensor';
import { Layer } from '../../engine/layer';
import type { CallContext, LayerArgs, SymbolicShape } from '../../engine/layer';
import type { InitializerIdentifier } from '../../initializers';
import type { RegularizerIdentifier } from '../../regularizers';
import { checkLayerOptions, formatSymbolicShape, isFiniteNumber, numberOption } from '../layer-utils';

/** A layer that maps each value on its own: same output shape, masks passed through. */
abstract class ElementwiseActivation extends Layer {
  override supportsMasking = true;
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return inputShape;
  }
}

export interface ReLUArgs extends LayerArgs {
  /** Upper bound of the output (default none); `maxValue: 6` is relu6, as in MobileNets. */
  maxValue?: number | null;
  /** Slope below the threshold (default 0). */
  negativeSlope?: number;
  /** Inputs at or below it give 0 (default 0). */
  threshold?: number;
}

/**
 * Keras' ReLU: `f(x) = maxValue` for x >= maxValue, `x` for threshold <= x < maxValue,
 * `negativeSlope * (x - threshold)` otherwise.
 *
 * ```ts
 * new ReLU({ maxValue: 6 })          // relu6
 * new ReLU({ negativeSlope: 0.1 })   // a leaky relu
 * ```
 */
export class ReLU extends ElementwiseActivation {
  static override readonly className = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;
  constructor(args: ReLUArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['maxValue', 'negativeSlope', 'threshold']);
    const maxValue = args.maxValue ?? null;
    if (maxValue !== null) numberOption(this.label, 'maxValue', maxValue, (v) => v >= 0, 'null or a number >= 0');
    this.maxValue = maxValue;
    this.negativeSlope = numberOption(this.label, 'negativeSlope', args.negativeSlope ?? 0, (v) => v >= 0, 'a number >= 0');
    this.threshold = numberOption(this.label, 'threshold', args.threshold ?? 0, () => true, 'a finite number');
  }
  call(x: Tensor): Tensor {
    return relu(x, { maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold });
  }
  override getConfig() {
    return { ...super.getConfig(), maxValue: this.maxValue, negativeSlope: this.negativeSlope, threshold: this.threshold };
  }
}

export interface LeakyReLUArgs extends LayerArgs {
  /** Slope for x < 0 (default 0.3). */
  negativeSlope?: number;
  /** tfjs' and Keras 2's name for `negativeSlope`. */
  alpha?: number;
}

/** `x` for x >= 0, `negativeSlope * x` otherwise. Keras 3 default slope 0.3 (the `leaky_relu` activation uses 0.2). */
export class LeakyReLU extends ElementwiseActivation {
  static override readonly className = 'LeakyReLU';
  readonly negativeSlope: number;
  constructor(args: LeakyReLUArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['negativeSlope', 'alpha']);
    if (args.alpha != null && args.negativeSlope != null && args.alpha !== args.negativeSlope) {
      throw new Error(`${this.label}: alpha (${args.alpha}) is the old name of negativeSlope (${args.negativeSlope}); give one of them`);
    }
    this.negativeSlope = numberOption(this.label, 'negativeSlope', args.negativeSlope ?? args.alpha ?? 0.3, (v) => v >= 0, 'a number >= 0');
  }
  call(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  /** Keras 3 reads `negative_slope`; tfjs reads `alpha`: both are written, with the same value. */
  override getConfig() {
    return { ...super.getConfig(), negativeSlope: this.negativeSlope, alpha: this.negativeSlope };
  }
}

export interface PReLUArgs extends LayerArgs {
  /** Initializer of the learned slopes (default 'zeros': a plain relu at first). */
  alphaInitializer?: InitializerIdentifier;
  alphaRegularizer?: RegularizerIdentifier | null;
  alphaConstraint?: null;
  /** Axes (1-based, the batch axis is 0) along which one slope is shared, e.g. `[1, 2]` for one slope per channel of an image. */
  sharedAxes?: number | readonly number[] | null;
}

/** Parametric ReLU: `x` for x >= 0, `alpha * x` otherwise, with `alpha` a learned weight shaped like the input (minus shared axes). */
export class PReLU extends ElementwiseActivation {
  static override readonly className = 'PReLU';
  readonly sharedAxes: number[] | null;
  readonly alphaInitializer: InitializerIdentifier;
  readonly alphaRegularizer: RegularizerIdentifier | null;
  alpha: Variable | null = null;
  constructor(args: PReLUArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['alphaInitializer', 'alphaRegularizer', 'sharedAxes'], ['alphaConstraint']);
    const shared = args.sharedAxes == null ? null : typeof args.sharedAxes === 'number' ? [args.sharedAxes] : [...args.sharedAxes];
    if (shared && !shared.every((a) => Number.isInteger(a) && a >= 1)) {
      throw new Error(`${this.label}: sharedAxes must be axes >= 1 (axis 0 is the batch), got ${JSON.stringify(args.sharedAxes)}`);
    }
    this.sharedAxes = shared;
    this.alphaInitializer = args.alphaInitializer ?? 'zeros';
    this.alphaRegularizer = args.alphaRegularizer ?? null;
  }
  override build(inputShape: SymbolicShape): void {
    const shape = inputShape.slice(1).map((d, i) => (this.sharedAxes?.includes(i + 1) ? 1 : d));
    if (this.sharedAxes?.some((a) => a >= inputShape.length)) {
      throw new Error(`${this.label}: sharedAxes ${JSON.stringify(this.sharedAxes)} do not exist in an input of shape ${formatSymbolicShape(inputShape)}`);
    }
    if (shape.some((d) => d === null)) {
      throw new Error(`${this.label}: every non-shared axis of the input must be known to size alpha, got shape ${formatSymbolicShape(inputShape)} (share the unknown axes with sharedAxes)`);
    }
    this.alpha = this.addWeight('alpha', shape as number[], { initializer: this.alphaInitializer, regularizer: this.alphaRegularizer });
    this.built = true;
  }
  call(x: Tensor): Tensor {
    const a = this.alpha!;
    if (x.rank !== a.rank + 1 || a.shape.some((d, i) => d !== 1 && d !== x.shape[i + 1])) {
      throw new Error(`${this.label} expects input of shape [batch, ${a.shape.join(', ')}] (1 = shared axis), got ${formatShape(x.shape)}`);
    }
    // relu(x) - alpha * relu(-x), as Keras.
    return sub(relu(x), mul(a, relu(neg(x))));
  }
  override getConfig() {
    return { ...super.getConfig(), alphaInitializer: this.alphaInitializer, alphaRegularizer: this.alphaRegularizer, alphaConstraint: null, sharedAxes: this.sharedAxes };
  }
}

export interface ELUArgs extends LayerArgs {
  /** Scale of the negative part (default 1). */
  alpha?: number;
}

/** `x` for x > 0, `alpha * (exp(x) - 1)` otherwise. */
export class ELU extends ElementwiseActivation {
  static override readonly className = 'ELU';
  readonly alpha: number;
  constructor(args: ELUArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['alpha']);
    this.alpha = numberOption(this.label, 'alpha', args.alpha ?? 1, () => true, 'a finite number');
  }
  call(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
  override getConfig() {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

export interface SoftmaxArgs extends LayerArgs {
  /** The axis (or axes) normalized over (default -1). */
  axis?: number | readonly number[];
}

/**
 * Softmax over `axis`. With a mask (the input's, or `apply(x, { mask })`), masked-out positions get
 * -1e9 added before the softmax and are zeroed after it, as Keras 3 does (the mask broadcasts against x).
 */
export class Softmax extends ElementwiseActivation {
  static override readonly className = 'Softmax';
  readonly axis: number | number[];
  constructor(args: SoftmaxArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['axis']);
    const axis = args.axis ?? -1;
    const list = typeof axis === 'number' ? [axis] : axis;
    if (!Array.isArray(list) || list.length === 0 || !list.every((a) => Number.isInteger(a))) {
      throw new Error(`${this.label}: axis must be an integer or a non-empty list of integers, got ${JSON.stringify(args.axis)}`);
    }
    this.axis = typeof axis === 'number' ? axis : [...axis];
  }
  call(x: Tensor, ctx: CallContext): Tensor {
    const mask = ctx.mask instanceof Tensor ? ctx.mask : null;
    const axes = typeof this.axis === 'number' ? [this.axis] : this.axis;
    for (const a of axes) {
      if (a >= x.rank || a < -x.rank) throw new Error(`${this.label}: axis ${a} is out of range for an input of rank ${x.rank}`);
    }
    let logits = x;
    // (1 - mask) * -1e9: Keras' large negative number for float32.
    if (mask) logits = add(x, mul(sub(1, mask), -1e9));
    const y = axes.length === 1 ? softmax(logits, axes[0]!) : exp(sub(logits, logSumExp(logits, axes, true)));
    return mask ? mul(y, mask) : y;
  }
  override getConfig() {
    return { ...super.getConfig(), axis: Array.isArray(this.axis) ? [...this.axis] : this.axis };
  }
}

export interface ThresholdedReLUArgs extends LayerArgs {
  /** Default 1. */
  theta?: number;
}

/** tfjs' (and Keras 2's) ThresholdedReLU: `x` for x > theta, 0 otherwise. */
export class ThresholdedReLU extends ElementwiseActivation {
  static override readonly className = 'ThresholdedReLU';
  readonly theta: number;
  constructor(args: ThresholdedReLUArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, ['theta']);
    if (!isFiniteNumber(args.theta ?? 1) || (args.theta ?? 1) < 0) throw new Error(`${this.label}: theta must be a number >= 0, got ${JSON.stringify(args.theta)}`);
    this.theta = args.theta ?? 1;
  }
  call(x: Tensor): Tensor {
    // The comparison is a constant mask: the gradient is 1 where x > theta, 0 elsewhere.
    return mul(x, greater(x, this.theta));
  }
  override getConfig() {
    return { ...super.getConfig(), theta: this.theta };
  }
}

/**
 * Depthwise and separable convolutions (Keras 3 DepthwiseConv1D/2D, SeparableConv1D/2D), the building
 * blocks of MobileNet and Xception. Weight names follow tfjs and Keras 2 (`depthwise_kernel`,
 * `pointwise_kernel`), which converted pretrained models carry.
 */
import { add, conv1d, conv2d, depthwiseConv1d, depthwiseConv2d, formatShape } from '@minikeras/tensor';
import type { Tensor, Variable } from '@minikeras/tensor';
import { Layer, positiveInt } from '../../engine/layer';
import type { CallContext, SymbolicShape } from '../../engine/layer';
import { activationName, getActivation } from '../../activations';
import type { ActivationIdentifier } from '../../activations';
import type { InitializerIdentifier } from '../../initializers';
import type { RegularizerIdentifier } from '../../regularizers';
import { LAYOUTS, checkLayerOptions } from '../layer-utils';
import { convSpatialShape, knownChannels, parseGeometry } from './base-conv';
import type { BaseConvArgs, IntOrTuple } from './base-conv';

const INACTIVE = ['activityRegularizer', 'biasConstraint', 'depthwiseConstraint', 'pointwiseConstraint', 'loraRank', 'loraAlpha', 'quantizationConfig'];

export interface DepthwiseConvArgs extends BaseConvArgs {
  padding?: 'valid' | 'same';
  /** Output channels per input channel (default 1). */
  depthMultiplier?: number;
  depthwiseInitializer?: InitializerIdentifier;
  depthwiseRegularizer?: RegularizerIdentifier | null;
  depthwiseConstraint?: null;
}

const DEPTHWISE_KEYS = ['kernelSize', 'strides', 'padding', 'depthMultiplier', 'dataFormat', 'dilationRate', 'activation', 'useBias', 'depthwiseInitializer', 'biasInitializer', 'depthwiseRegularizer', 'biasRegularizer'];

/** Options common to depthwise and separable layers, parsed. */
abstract class DepthwiseBase extends Layer {
  readonly rank: 1 | 2;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';
  readonly dilationRate: number[];
  readonly depthMultiplier: number;
  readonly activation: ActivationIdentifier | null;
  readonly useBias: boolean;
  protected readonly activationFn: (x: Tensor) => Tensor;
  depthwiseKernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(rank: 1 | 2, kernelSize: IntOrTuple, args: DepthwiseConvArgs) {
    super(args);
    this.rank = rank;
    const g = parseGeometry(this.label, rank, kernelSize, args, false);
    this.kernelSize = g.kernelSize;
    this.strides = g.strides;
    this.padding = g.padding as 'valid' | 'same';
    this.dilationRate = g.dilationRate;
    this.depthMultiplier = positiveInt(this.label, 'depthMultiplier', args.depthMultiplier ?? 1);
    this.activation = args.activation ?? null;
    this.activationFn = getActivation(this.activation, this.label);
    this.useBias = args.useBias ?? true;
  }

  protected spatial(shape: SymbolicShape): (number | null)[] {
    return convSpatialShape(this.label, this.rank, shape, this.kernelSize, this.strides, this.padding, this.dilationRate);
  }

  protected checkInput(x: Tensor): void {
    const inChannels = this.depthwiseKernel!.shape[this.rank]!;
    if (x.rank !== this.rank + 2 || x.shape[this.rank + 1] !== inChannels) {
      throw new Error(`${this.label} expects input of shape ${LAYOUTS[this.rank].replace('channels', String(inChannels))}, got ${formatShape(x.shape)}`);
    }
    this.spatial(x.shape);
  }

  protected depthwise(x: Tensor): Tensor {
    return this.rank === 1
      ? depthwiseConv1d(x, this.depthwiseKernel!, this.strides[0]!, this.padding, this.dilationRate[0]!)
      : depthwiseConv2d(x, this.depthwiseKernel!, this.strides as [number, number], this.padding, this.dilationRate as [number, number]);
  }

  protected geometryConfig(): Record<string, unknown> {
    return {
      kernelSize: [...this.kernelSize], strides: [...this.strides], padding: this.padding, depthMultiplier: this.depthMultiplier,
      dataFormat: 'channels_last', dilationRate: [...this.dilationRate], activation: activationName(this.activation), useBias: this.useBias,
    };
  }
}

abstract class DepthwiseConv extends DepthwiseBase {
  static override readonly positionalArgs = ['kernelSize'];
  private readonly args: DepthwiseConvArgs;
  constructor(rank: 1 | 2, kernelSize: IntOrTuple, args: DepthwiseConvArgs = {}) {
    super(rank, kernelSize, args);
    checkLayerOptions(this.label, args, DEPTHWISE_KEYS, INACTIVE);
    this.args = args;
  }
  override build(inputShape: SymbolicShape): void {
    this.spatial(inputShape);
    const c = knownChannels(this.label, inputShape);
    this.depthwiseKernel = this.addWeight('depthwise_kernel', [...this.kernelSize, c, this.depthMultiplier], { initializer: this.args.depthwiseInitializer ?? 'glorot_uniform', regularizer: this.args.depthwiseRegularizer ?? null });
    if (this.useBias) this.bias = this.addWeight('bias', [c * this.depthMultiplier], { initializer: this.args.biasInitializer ?? 'zeros', regularizer: this.args.biasRegularizer ?? null });
    this.built = true;
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    this.checkInput(x);
    let y = this.depthwise(x);
    if (this.bias) y = add(y, this.bias);
    return this.activationFn(y);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const c = inputShape[inputShape.length - 1];
    return [inputShape[0] ?? null, ...this.spatial(inputShape), c == null ? null : c * this.depthMultiplier];
  }
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), ...this.geometryConfig(),
      depthwiseInitializer: this.args.depthwiseInitializer ?? 'glorot_uniform', biasInitializer: this.args.biasInitializer ?? 'zeros',
      depthwiseRegularizer: this.args.depthwiseRegularizer ?? null, biasRegularizer: this.args.biasRegularizer ?? null,
      activityRegularizer: null, depthwiseConstraint: null, biasConstraint: null,
    };
  }
}

/** Each input channel convolved with its own `depthMultiplier` filters over `[batch, steps, channels]`. */
export class DepthwiseConv1D extends DepthwiseConv {
  static override readonly className = 'DepthwiseConv1D';
  constructor(kernelSize: IntOrTuple, args: DepthwiseConvArgs = {}) {
    super(1, kernelSize, args);
  }
}

/**
 * Each channel of an NHWC image convolved with its own `depthMultiplier` filters; output channel
 * c * depthMultiplier + m. `new DepthwiseConv2D(3, { padding: 'same', useBias: false })` is MobileNet's.
 */
export class DepthwiseConv2D extends DepthwiseConv {
  static override readonly className = 'DepthwiseConv2D';
  constructor(kernelSize: IntOrTuple, args: DepthwiseConvArgs = {}) {
    super(2, kernelSize, args);
  }
}

export interface SeparableConvArgs extends DepthwiseConvArgs {
  pointwiseInitializer?: InitializerIdentifier;
  pointwiseRegularizer?: RegularizerIdentifier | null;
  pointwiseConstraint?: null;
}

const SEPARABLE_KEYS = ['filters', ...DEPTHWISE_KEYS, 'pointwiseInitializer', 'pointwiseRegularizer'];

/** A depthwise convolution then a 1x1 convolution to `filters` channels, plus bias and activation. */
abstract class SeparableConv extends DepthwiseBase {
  static override readonly positionalArgs = ['filters', 'kernelSize'];
  readonly filters: number;
  private readonly args: SeparableConvArgs;
  pointwiseKernel: Variable | null = null;
  constructor(rank: 1 | 2, filters: number, kernelSize: IntOrTuple, args: SeparableConvArgs = {}) {
    super(rank, kernelSize, args);
    // tfjs and Keras 2 configs of separable layers may carry the unused kernel_* options of their base class.
    checkLayerOptions(this.label, args, SEPARABLE_KEYS, [...INACTIVE, 'kernelConstraint', 'kernelRegularizer']);
    this.filters = positiveInt(this.label, 'filters', filters);
    this.args = args;
  }
  override build(inputShape: SymbolicShape): void {
    this.spatial(inputShape);
    const c = knownChannels(this.label, inputShape);
    this.depthwiseKernel = this.addWeight('depthwise_kernel', [...this.kernelSize, c, this.depthMultiplier], { initializer: this.args.depthwiseInitializer ?? 'glorot_uniform', regularizer: this.args.depthwiseRegularizer ?? null });
    this.pointwiseKernel = this.addWeight('pointwise_kernel', [...Array<number>(this.rank).fill(1), c * this.depthMultiplier, this.filters], { initializer: this.args.pointwiseInitializer ?? 'glorot_uniform', regularizer: this.args.pointwiseRegularizer ?? null });
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], { initializer: this.args.biasInitializer ?? 'zeros', regularizer: this.args.biasRegularizer ?? null });
    this.built = true;
  }
  call(x: Tensor, _ctx: CallContext): Tensor {
    this.checkInput(x);
    const d = this.depthwise(x);
    let y = this.rank === 1 ? conv1d(d, this.pointwiseKernel!, 1, 'valid') : conv2d(d, this.pointwiseKernel!, 1, 'valid');
    if (this.bias) y = add(y, this.bias);
    return this.activationFn(y);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [inputShape[0] ?? null, ...this.spatial(inputShape), this.filters];
  }
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, ...this.geometryConfig(),
      depthwiseInitializer: this.args.depthwiseInitializer ?? 'glorot_uniform', pointwiseInitializer: this.args.pointwiseInitializer ?? 'glorot_uniform',
      biasInitializer: this.args.biasInitializer ?? 'zeros', depthwiseRegularizer: this.args.depthwiseRegularizer ?? null,
      pointwiseRegularizer: this.args.pointwiseRegularizer ?? null, biasRegularizer: this.args.biasRegularizer ?? null,
      activityRegularizer: null, depthwiseConstraint: null, pointwiseConstraint: null, biasConstraint: null,
    };
  }
}

/** Separable convolution over `[batch, steps, channels]`. */
export class SeparableConv1D extends SeparableConv {
  static override readonly className = 'SeparableConv1D';
  constructor(filters: number, kernelSize: IntOrTuple, args: SeparableConvArgs = {}) {
    super(1, filters, kernelSize, args);
  }
}

/** Separable convolution over NHWC images (Xception's). */
export class SeparableConv2D extends SeparableConv {
  static override readonly className = 'SeparableConv2D';
  constructor(filters: number, kernelSize: IntOrTuple, args: SeparableConvArgs = {}) {
    super(2, filters, kernelSize, args);
  }
}

/**
 * The convolution layers beyond Conv2D (Keras 3 `keras/src/layers/convolutional/`): Conv1D (with 'causal'
 * padding) and Conv3D, all with groups and dilation, channels-last. Conv2D itself lives in ../conv2d.ts
 * (it runs a fused conv + bias + relu op).
 */
import { add, conv1d, conv3d, formatShape } from '@minikeras/tensor';
import type { Tensor, Variable } from '@minikeras/tensor';
import { Layer, positiveInt } from '../../engine/layer';
import type { CallContext, LayerArgs, SymbolicShape } from '../../engine/layer';
import { activationName, getActivation } from '../../activations';
import type { ActivationIdentifier } from '../../activations';
import type { InitializerIdentifier } from '../../initializers';
import type { RegularizerIdentifier } from '../../regularizers';
import { LAYOUTS, checkDataFormat, checkLayerOptions, checkRank, formatSymbolicShape, normalizeTuple } from '../layer-utils';

/** Keras' `padding`: 'valid' (none), 'same' (output size = ceil(input / stride)), 'causal' (1-D only: left padding). */
export type ConvPaddingOption = 'valid' | 'same' | 'causal';
/** One size for every spatial axis, or one per axis (Keras' int-or-tuple arguments). */
export type IntOrTuple = number | readonly number[];

/** Keras options of weighted layers that minikeras accepts only when off (null). */
export const WEIGHTED_INACTIVE = ['activityRegularizer', 'kernelConstraint', 'biasConstraint', 'loraRank', 'loraAlpha', 'quantizationConfig'] as const;

/** Options shared by every convolution layer (Keras 3's BaseConv arguments, camelCased). */
export interface BaseConvArgs extends LayerArgs {
  /** Default 1. Strides > 1 cannot be combined with a dilation rate > 1 (as in Keras). */
  strides?: IntOrTuple;
  /** `'valid'` (default) or `'same'`; Conv1D also `'causal'`. */
  padding?: ConvPaddingOption;
  /** Only `'channels_last'` is supported. */
  dataFormat?: 'channels_last' | null;
  /** Default 1. */
  dilationRate?: IntOrTuple;
  activation?: ActivationIdentifier | null;
  useBias?: boolean;
  biasInitializer?: InitializerIdentifier;
  biasRegularizer?: RegularizerIdentifier | null;
  activityRegularizer?: null;
  biasConstraint?: null;
  loraRank?: null;
  loraAlpha?: null;
}

export interface ConvArgs extends BaseConvArgs {
  /** Split the input channels into this many groups, each convolved with filters / groups filters (default 1). */
  groups?: number;
  kernelInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: null;
}

/**
 * Output length of one spatial axis (Keras' `compute_conv_output_shape`): 'valid' floor((L - d(k-1) - 1) / s) + 1;
 * 'same' and 'causal' ceil(L / s).
 */
export function convLength(length: number | null, kernel: number, stride: number, padding: ConvPaddingOption, dilation: number): number | null {
  if (length === null) return null;
  if (padding !== 'valid') return Math.floor((length - 1) / stride) + 1;
  return Math.floor((length - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Spatial output shape of a convolution or pooling, with a clear error for a too-small input. */
export function convSpatialShape(owner: string, rank: 1 | 2 | 3, inputShape: SymbolicShape, kernel: readonly number[], strides: readonly number[], padding: ConvPaddingOption, dilation: readonly number[]): (number | null)[] {
  checkRank(owner, inputShape, rank + 2, LAYOUTS[rank]);
  const out = kernel.map((k, i) => convLength(inputShape[i + 1]!, k, strides[i]!, padding, dilation[i]!));
  if (out.some((d) => d !== null && d <= 0)) {
    throw new Error(`${owner}: the input of shape ${formatSymbolicShape(inputShape)} is too small for a window of ${kernel.join('x')} (dilation ${dilation.join('x')}) with '${padding}' padding`);
  }
  return out;
}

/** Parsed common options of a convolution-like layer. */
export interface ConvGeometry {
  kernelSize: number[];
  strides: number[];
  padding: ConvPaddingOption;
  dilationRate: number[];
}

export function parseGeometry(owner: string, rank: 1 | 2 | 3, kernelSize: unknown, args: BaseConvArgs, allowCausal: boolean): ConvGeometry {
  const kernel = normalizeTuple(owner, 'kernelSize', kernelSize, rank);
  const strides = normalizeTuple(owner, 'strides', args.strides ?? 1, rank);
  const dilationRate = normalizeTuple(owner, 'dilationRate', args.dilationRate ?? 1, rank);
  const p = typeof args.padding === 'string' ? args.padding.toLowerCase() : args.padding ?? 'valid';
  const allowed = allowCausal ? ['valid', 'same', 'causal'] : ['valid', 'same'];
  if (!allowed.includes(p as string)) throw new Error(`${owner}: padding must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(args.padding)}`);
  checkDataFormat(owner, args.dataFormat);
  if (Math.max(...strides) > 1 && Math.max(...dilationRate) > 1) {
    throw new Error(`${owner}: strides > 1 cannot be combined with dilationRate > 1, got strides ${JSON.stringify(strides)} and dilationRate ${JSON.stringify(dilationRate)}`);
  }
  return { kernelSize: kernel, strides, padding: p as ConvPaddingOption, dilationRate };
}

/** The channel count of a channels-last input shape, which must be known to size the kernel. */
export function knownChannels(owner: string, inputShape: SymbolicShape): number {
  const c = inputShape[inputShape.length - 1];
  if (c == null) throw new Error(`${owner}: the channel dimension of the input must be known, got shape ${formatSymbolicShape(inputShape)}`);
  return c;
}

const CONV_KEYS = ['filters', 'kernelSize', 'strides', 'padding', 'dataFormat', 'dilationRate', 'groups', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer'];

/** Conv1D and Conv3D: `activation(conv(x, kernel) + bias)` with kernel `[...kernelSize, inChannels / groups, filters]`. */
abstract class BaseConv extends Layer {
  static override readonly positionalArgs = ['filters', 'kernelSize'];
  protected abstract readonly rank: 1 | 3;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: ConvPaddingOption;
  readonly dilationRate: number[];
  readonly groups: number;
  readonly activation: ActivationIdentifier | null;
  readonly useBias: boolean;
  protected readonly args: ConvArgs;
  private readonly activationFn: (x: Tensor) => Tensor;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(rank: 1 | 3, filters: number, kernelSize: IntOrTuple, args: ConvArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, CONV_KEYS, WEIGHTED_INACTIVE);
    this.filters = positiveInt(this.label, 'filters', filters);
    const g = parseGeometry(this.label, rank, kernelSize, args, rank === 1);
    this.kernelSize = g.kernelSize;
    this.strides = g.strides;
    this.padding = g.padding;
    this.dilationRate = g.dilationRate;
    this.groups = positiveInt(this.label, 'groups', args.groups ?? 1);
    if (this.filters % this.groups !== 0) throw new Error(`${this.label}: filters (${this.filters}) must be divisible by groups (${this.groups})`);
    this.activation = args.activation ?? null;
    this.activationFn = getActivation(this.activation, this.label);
    this.useBias = args.useBias ?? true;
    this.args = args;
  }

  override build(inputShape: SymbolicShape): void {
    this.outputSpatial(inputShape);
    const inChannels = knownChannels(this.label, inputShape);
    if (inChannels % this.groups !== 0) throw new Error(`${this.label}: the input channels (${inChannels}) must be divisible by groups (${this.groups})`);
    this.kernel = this.addWeight('kernel', [...this.kernelSize, inChannels / this.groups, this.filters], { initializer: this.args.kernelInitializer ?? 'glorot_uniform', regularizer: this.args.kernelRegularizer ?? null });
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], { initializer: this.args.biasInitializer ?? 'zeros', regularizer: this.args.biasRegularizer ?? null });
    this.built = true;
  }

  private outputSpatial(shape: SymbolicShape): (number | null)[] {
    return convSpatialShape(this.label, this.rank, shape, this.kernelSize, this.strides, this.padding, this.dilationRate);
  }

  protected abstract convolve(x: Tensor, kernel: Tensor): Tensor;

  call(x: Tensor, _ctx: CallContext): Tensor {
    const inChannels = this.kernel!.shape[this.rank]! * this.groups;
    if (x.rank !== this.rank + 2 || x.shape[this.rank + 1] !== inChannels) {
      throw new Error(`${this.label} expects input of shape ${LAYOUTS[this.rank].replace('channels', String(inChannels))}, got ${formatShape(x.shape)}`);
    }
    this.outputSpatial(x.shape);
    let y = this.convolve(x, this.kernel!);
    if (this.bias) y = add(y, this.bias);
    return this.activationFn(y);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [inputShape[0] ?? null, ...this.outputSpatial(inputShape), this.filters];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channels_last',
      dilationRate: [...this.dilationRate],
      groups: this.groups,
      activation: activationName(this.activation),
      useBias: this.useBias,
      kernelInitializer: this.args.kernelInitializer ?? 'glorot_uniform',
      biasInitializer: this.args.biasInitializer ?? 'zeros',
      kernelRegularizer: this.args.kernelRegularizer ?? null,
      biasRegularizer: this.args.biasRegularizer ?? null,
      activityRegularizer: null,
      kernelConstraint: null,
      biasConstraint: null,
    };
  }
}

/**
 * 1-D convolution over sequences `[batch, steps, channels]` (Keras' Conv1D). `padding: 'causal'` pads
 * `dilationRate * (kernelSize - 1)` zeros on the left only, so output t depends on inputs up to t (WaveNet).
 *
 * ```ts
 * new Conv1D(32, 3, { activation: 'relu' })
 * new Conv1D(16, 2, { padding: 'causal', dilationRate: 4 })
 * ```
 */
export class Conv1D extends BaseConv {
  static override readonly className = 'Conv1D';
  protected readonly rank = 1;
  constructor(filters: number, kernelSize: IntOrTuple, args: ConvArgs = {}) {
    super(1, filters, kernelSize, args);
  }
  protected convolve(x: Tensor, kernel: Tensor): Tensor {
    return conv1d(x, kernel, this.strides[0]!, this.padding, this.dilationRate[0]!, this.groups);
  }
}

/** Options of `Conv3D` (Keras 3's `keras.layers.Conv3D`): a convolution's options without 'causal' padding. */
export interface Conv3DArgs extends Omit<ConvArgs, 'padding'> {
  /** 'valid' (default) or 'same' ('causal' is Conv1D's). */
  padding?: 'valid' | 'same';
}

/** 3-D convolution over volumes `[batch, depth, height, width, channels]` (Keras' Conv3D). */
export class Conv3D extends BaseConv {
  static override readonly className = 'Conv3D';
  protected readonly rank = 3;
  constructor(filters: number, kernelSize: IntOrTuple, args: Conv3DArgs = {}) {
    super(3, filters, kernelSize, args);
  }
  protected convolve(x: Tensor, kernel: Tensor): Tensor {
    const t = (v: number[]) => v as unknown as [number, number, number];
    return conv3d(x, kernel, t(this.strides), this.padding as 'valid' | 'same', t(this.dilationRate), this.groups);
  }
}

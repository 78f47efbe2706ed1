/** 2-D convolution over NHWC images (Keras 3 `Conv2D`, channels-last only). */
import { formatShape, fusedConv2d } from '@minikeras/tensor';
import type { Tensor, Variable } from '@minikeras/tensor';
import { Layer, checkOptions, positiveInt } from '../engine/layer';
import type { CallContext, LayerArgs, SymbolicShape } from '../engine/layer';
import { ACTIVATIONS, activationName, getActivation } from '../activations';
import type { ActivationIdentifier } from '../activations';
import type { InitializerIdentifier } from '../initializers';
import type { RegularizerIdentifier } from '../regularizers';

export type Padding = 'valid' | 'same';
/** One number for both spatial axes, or `[height, width]`. */
export type IntOrPair = number | readonly [number, number];

export interface Conv2DArgs extends LayerArgs {
  /** Default 1. Strides > 1 cannot be combined with a dilation rate > 1 (as in Keras). */
  strides?: IntOrPair;
  /** `'valid'` (default): no padding. `'same'`: zero-pad so the output is `ceil(input / stride)`. */
  padding?: Padding;
  /** Only `'channels_last'` (NHWC) is supported. */
  dataFormat?: 'channels_last';
  /** Default 1. */
  dilationRate?: IntOrPair;
  activation?: ActivationIdentifier | null;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
}

const CONV2D_KEYS = ['filters', 'kernelSize', 'strides', 'padding', 'dataFormat', 'dilationRate', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer'];

/** Keras' `standardize_tuple`: a positive integer or a pair of them, as `[h, w]`. */
export function normalizePair(owner: string, option: string, value: unknown): [number, number] {
  const pair = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(pair) || pair.length !== 2 || pair.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v <= 0)) {
    throw new Error(`${owner}: ${option} must be a positive integer or a pair of positive integers, got ${JSON.stringify(value)}`);
  }
  return [pair[0] as number, pair[1] as number];
}

export function normalizePadding(owner: string, value: unknown): Padding {
  const p = typeof value === 'string' ? value.toLowerCase() : value;
  if (p !== 'valid' && p !== 'same') throw new Error(`${owner}: padding must be 'valid' or 'same', got ${JSON.stringify(value)}`);
  return p;
}

export function checkChannelsLast(owner: string, value: unknown): void {
  if (value !== undefined && value !== 'channels_last') {
    throw new Error(`${owner}: only dataFormat 'channels_last' (NHWC) is supported, got ${JSON.stringify(value)}`);
  }
}

/**
 * Keras' `compute_conv_output_shape` for one spatial axis: 'valid' gives
 * floor((L - d(k-1) - 1) / s) + 1, 'same' gives floor((L - 1) / s) + 1 = ceil(L / s).
 */
export function convOutputLength(length: number | null, kernel: number, stride: number, padding: Padding, dilation = 1): number | null {
  if (length === null) return null;
  if (padding === 'same') return Math.floor((length - 1) / stride) + 1;
  return Math.floor((length - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Checks a rank-4 NHWC input shape and returns its spatial output shape, with a clear error if it is empty. */
export function spatialOutputShape(owner: string, inputShape: SymbolicShape, kernel: readonly [number, number], strides: readonly [number, number], padding: Padding, dilation: readonly [number, number] = [1, 1]): [number | null, number | null] {
  if (inputShape.length !== 4) {
    throw new Error(`${owner} expects a 4-D input [batch, height, width, channels], got shape ${formatSymbolic(inputShape)}`);
  }
  const h = convOutputLength(inputShape[1]!, kernel[0], strides[0], padding, dilation[0]);
  const w = convOutputLength(inputShape[2]!, kernel[1], strides[1], padding, dilation[1]);
  if ((h !== null && h <= 0) || (w !== null && w <= 0)) {
    throw new Error(`${owner}: the input of shape ${formatSymbolic(inputShape)} is too small for a window of ${kernel[0]}x${kernel[1]} (dilation ${dilation.join('x')}) with 'valid' padding`);
  }
  return [h, w];
}

export function formatSymbolic(shape: SymbolicShape): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

/**
 * `activation(conv2d(x, kernel) + bias)`: the kernel has shape `[kernelH, kernelW, inChannels, filters]`.
 *
 * ```ts
 * new Conv2D(32, 3, { activation: 'relu' })          // 3x3 kernel, stride 1, 'valid'
 * new Conv2D(64, [3, 3], { strides: 2, padding: 'same' })
 * ```
 */
export class Conv2D extends Layer {
  static override readonly className = 'Conv2D';
  static override readonly positionalArgs = ['filters', 'kernelSize'];
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  readonly activation: ActivationIdentifier | null;
  readonly useBias: boolean;
  private readonly args: Conv2DArgs;
  private readonly activationFn: (x: Tensor) => Tensor;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(filters: number, kernelSize: IntOrPair, args: Conv2DArgs = {}) {
    super(args);
    checkOptions(this.label, args, CONV2D_KEYS);
    this.filters = positiveInt(this.label, 'filters', filters);
    this.kernelSize = normalizePair(this.label, 'kernelSize', kernelSize);
    this.strides = normalizePair(this.label, 'strides', args.strides ?? 1);
    this.padding = normalizePadding(this.label, args.padding ?? 'valid');
    this.dilationRate = normalizePair(this.label, 'dilationRate', args.dilationRate ?? 1);
    checkChannelsLast(this.label, args.dataFormat);
    if (Math.max(...this.strides) > 1 && Math.max(...this.dilationRate) > 1) {
      throw new Error(`${this.label}: strides > 1 cannot be combined with dilationRate > 1, got strides ${JSON.stringify(this.strides)} and dilationRate ${JSON.stringify(this.dilationRate)}`);
    }
    this.activation = args.activation ?? null;
    this.activationFn = getActivation(this.activation, this.label);
    this.useBias = args.useBias ?? true;
    this.args = args;
  }

  override build(inputShape: SymbolicShape): void {
    spatialOutputShape(this.label, inputShape, this.kernelSize, this.strides, this.padding, this.dilationRate);
    const inChannels = inputShape[3];
    if (inChannels == null) throw new Error(`${this.label}: the channel dimension of the input must be known, got shape ${formatSymbolic(inputShape)}`);
    this.kernel = this.addWeight('kernel', [...this.kernelSize, inChannels, this.filters], { initializer: this.args.kernelInitializer ?? 'glorot_uniform', regularizer: this.args.kernelRegularizer ?? null });
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], { initializer: this.args.biasInitializer ?? 'zeros', regularizer: this.args.biasRegularizer ?? null });
    this.built = true;
  }

  call(x: Tensor, _ctx: CallContext): Tensor {
    const kernel = this.kernel!;
    const inChannels = kernel.shape[2]!;
    if (x.rank !== 4 || x.shape[3] !== inChannels) {
      throw new Error(`${this.label} expects input of shape [batch, height, width, ${inChannels}], got ${formatShape(x.shape)}`);
    }
    spatialOutputShape(this.label, x.shape, this.kernelSize, this.strides, this.padding, this.dilationRate);
    // conv + bias (+ relu) as one op: one output array where the three ops made three, and a backward pass
    // without the full-size gradients between them (most of a convnet's training-step memory).
    const relu = this.activationFn === ACTIVATIONS.relu;
    const y = fusedConv2d({
      x, filter: kernel, strides: this.strides, pad: this.padding, dilations: this.dilationRate,
      bias: this.bias, activation: relu ? 'relu' : 'linear',
    });
    return relu ? y : this.activationFn(y);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const [h, w] = spatialOutputShape(this.label, inputShape, this.kernelSize, this.strides, this.padding, this.dilationRate);
    return [inputShape[0] ?? null, h, w, this.filters];
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
      activation: activationName(this.activation),
      useBias: this.useBias,
      kernelInitializer: this.args.kernelInitializer ?? 'glorot_uniform',
      biasInitializer: this.args.biasInitializer ?? 'zeros',
      kernelRegularizer: this.args.kernelRegularizer ?? null,
      biasRegularizer: this.args.biasRegularizer ?? null,
    };
  }
}

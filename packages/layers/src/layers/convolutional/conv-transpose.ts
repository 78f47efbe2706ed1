/**
 * Transposed convolutions (Keras 3 Conv1DTranspose, Conv2DTranspose, Conv3DTranspose): the gradient of a
 * convolution with respect to its input, used to upsample (decoders, autoencoders). The kernel has Keras'
 * layout `[...kernelSize, filters, inChannels]`.
 */
import { add, conv1dTranspose, conv2dTranspose, conv3dTranspose, formatShape } from '@minikeras/tensor';
import type { Tensor, Variable } from '@minikeras/tensor';
import { Layer, positiveInt } from '../../engine/layer';
import type { CallContext, SymbolicShape } from '../../engine/layer';
import { activationName, getActivation } from '../../activations';
import type { ActivationIdentifier } from '../../activations';
import type { InitializerIdentifier } from '../../initializers';
import type { RegularizerIdentifier } from '../../regularizers';
import { LAYOUTS, checkLayerOptions, checkRank, formatSymbolicShape, normalizeTuple } from '../layer-utils';
import { WEIGHTED_INACTIVE, knownChannels, parseGeometry } from './base-conv';
import type { BaseConvArgs, IntOrTuple } from './base-conv';

export interface ConvTransposeArgs extends BaseConvArgs {
  /** 'valid' (default) or 'same'. */
  padding?: 'valid' | 'same';
  /** Extra rows/columns at the end of each spatial axis, each < the stride; default null (inferred, Keras' rule). */
  outputPadding?: IntOrTuple | null;
  kernelInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  kernelConstraint?: null;
}

const KEYS = ['filters', 'kernelSize', 'strides', 'padding', 'outputPadding', 'dataFormat', 'dilationRate', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer'];

/**
 * Keras' `compute_conv_transpose_output_shape` for one axis, with k = d(k-1) + 1: without output padding
 * 'valid' gives L*s + max(k - s, 0) and 'same' L*s; with output padding p, (L-1)*s + k + p for 'valid' and
 * (L-1)*s + k - 2*floor(k/2) + p for 'same'.
 */
export function convTransposeLength(length: number | null, kernel: number, stride: number, padding: 'valid' | 'same', outputPadding: number | null, dilation: number): number | null {
  if (length === null) return null;
  const k = dilation * (kernel - 1) + 1;
  if (outputPadding === null) return padding === 'valid' ? length * stride + Math.max(k - stride, 0) : length * stride;
  const pad = padding === 'valid' ? 0 : Math.floor(k / 2);
  return (length - 1) * stride + k - 2 * pad + outputPadding;
}

abstract class BaseConvTranspose extends Layer {
  static override readonly positionalArgs = ['filters', 'kernelSize'];
  readonly rank: 1 | 2 | 3;
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';
  readonly dilationRate: number[];
  readonly outputPadding: number[] | null;
  readonly activation: ActivationIdentifier | null;
  readonly useBias: boolean;
  private readonly args: ConvTransposeArgs;
  private readonly activationFn: (x: Tensor) => Tensor;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(rank: 1 | 2 | 3, filters: number, kernelSize: IntOrTuple, args: ConvTransposeArgs = {}) {
    super(args);
    checkLayerOptions(this.label, args, KEYS, WEIGHTED_INACTIVE);
    this.rank = rank;
    this.filters = positiveInt(this.label, 'filters', filters);
    const g = parseGeometry(this.label, rank, kernelSize, args, false);
    this.kernelSize = g.kernelSize;
    this.strides = g.strides;
    this.padding = g.padding as 'valid' | 'same';
    this.dilationRate = g.dilationRate;
    this.outputPadding = args.outputPadding == null ? null : normalizeTuple(this.label, 'outputPadding', args.outputPadding, rank, true);
    this.outputPadding?.forEach((p, i) => {
      if (p >= this.strides[i]!) throw new Error(`${this.label}: outputPadding ${JSON.stringify(this.outputPadding)} must be smaller than the strides ${JSON.stringify(this.strides)} on every axis`);
    });
    this.activation = args.activation ?? null;
    this.activationFn = getActivation(this.activation, this.label);
    this.useBias = args.useBias ?? true;
    this.args = args;
  }

  override build(inputShape: SymbolicShape): void {
    checkRank(this.label, inputShape, this.rank + 2, LAYOUTS[this.rank]);
    const inChannels = knownChannels(this.label, inputShape);
    this.kernel = this.addWeight('kernel', [...this.kernelSize, this.filters, inChannels], { initializer: this.args.kernelInitializer ?? 'glorot_uniform', regularizer: this.args.kernelRegularizer ?? null });
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], { initializer: this.args.biasInitializer ?? 'zeros', regularizer: this.args.biasRegularizer ?? null });
    this.built = true;
  }

  protected abstract transpose(x: Tensor, kernel: Tensor): Tensor;

  call(x: Tensor, _ctx: CallContext): Tensor {
    const inChannels = this.kernel!.shape[this.rank + 1]!;
    if (x.rank !== this.rank + 2 || x.shape[this.rank + 1] !== inChannels) {
      throw new Error(`${this.label} expects input of shape ${LAYOUTS[this.rank].replace('channels', String(inChannels))}, got ${formatShape(x.shape)}`);
    }
    let y = this.transpose(x, this.kernel!);
    if (this.bias) y = add(y, this.bias);
    return this.activationFn(y);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    checkRank(this.label, inputShape, this.rank + 2, LAYOUTS[this.rank]);
    const spatial = this.kernelSize.map((k, i) => convTransposeLength(inputShape[i + 1]!, k, this.strides[i]!, this.padding, this.outputPadding?.[i] ?? null, this.dilationRate[i]!));
    if (spatial.some((d) => d !== null && d <= 0)) throw new Error(`${this.label}: an input of shape ${formatSymbolicShape(inputShape)} gives an empty output`);
    return [inputShape[0] ?? null, ...spatial, this.filters];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      outputPadding: this.outputPadding ? [...this.outputPadding] : null,
      dataFormat: 'channels_last',
      dilationRate: [...this.dilationRate],
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

type Pair = [number, number];
type Triple = [number, number, number];

/** Transposed 1-D convolution over `[batch, steps, channels]`. */
export class Conv1DTranspose extends BaseConvTranspose {
  static override readonly className = 'Conv1DTranspose';
  constructor(filters: number, kernelSize: IntOrTuple, args: ConvTransposeArgs = {}) {
    super(1, filters, kernelSize, args);
  }
  protected transpose(x: Tensor, kernel: Tensor): Tensor {
    return conv1dTranspose(x, kernel, this.strides[0]!, this.padding, this.outputPadding?.[0] ?? null, this.dilationRate[0]!);
  }
}

/**
 * Transposed 2-D convolution over NHWC images: `new Conv2DTranspose(16, 3, { strides: 2, padding: 'same' })`
 * doubles the height and width.
 */
export class Conv2DTranspose extends BaseConvTranspose {
  static override readonly className = 'Conv2DTranspose';
  constructor(filters: number, kernelSize: IntOrTuple, args: ConvTransposeArgs = {}) {
    super(2, filters, kernelSize, args);
  }
  protected transpose(x: Tensor, kernel: Tensor): Tensor {
    return conv2dTranspose(x, kernel, this.strides as Pair, this.padding, this.outputPadding as Pair | null, this.dilationRate as Pair);
  }
}

/** Transposed 3-D convolution over `[batch, depth, height, width, channels]`. */
export class Conv3DTranspose extends BaseConvTranspose {
  static override readonly className = 'Conv3DTranspose';
  constructor(filters: number, kernelSize: IntOrTuple, args: ConvTransposeArgs = {}) {
    super(3, filters, kernelSize, args);
  }
  protected transpose(x: Tensor, kernel: Tensor): Tensor {
    return conv3dTranspose(x, kernel, this.strides as Triple, this.padding, this.outputPadding as Triple | null, this.dilationRate as Triple);
  }
}

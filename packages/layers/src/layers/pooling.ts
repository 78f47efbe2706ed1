/** Windowed 2-D pooling over NHWC images: MaxPooling2D and AveragePooling2D (Keras 3). */
import { avgPool, maxPool, formatShape } from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';
import { Layer, checkOptions } from '../engine/layer';
import type { LayerArgs, SymbolicShape } from '../engine/layer';
import { checkChannelsLast, normalizePadding, normalizePair, spatialOutputShape } from './conv2d';
import type { IntOrPair, Padding } from './conv2d';

export interface Pooling2DArgs extends LayerArgs {
  /** Window size, default `[2, 2]`. May also be given as the first constructor argument. */
  poolSize?: IntOrPair;
  /** Default: the pool size (non-overlapping windows), as in Keras (`strides=None`). */
  strides?: IntOrPair | null;
  /** `'valid'` (default) or `'same'`. */
  padding?: Padding;
  /** Only `'channels_last'` (NHWC) is supported. */
  dataFormat?: 'channels_last';
}

const POOLING_KEYS = ['poolSize', 'strides', 'padding', 'dataFormat'];

abstract class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;

  /** Keras 3 positional form `new MaxPooling2D(2, { strides: 1 })`. */
  constructor(poolSize?: IntOrPair, args?: Pooling2DArgs);
  /** Options form `new MaxPooling2D({ poolSize: 2 })`. */
  constructor(args?: Pooling2DArgs);
  constructor(poolSizeOrArgs?: IntOrPair | Pooling2DArgs, maybeArgs: Pooling2DArgs = {}) {
    const positional = typeof poolSizeOrArgs === 'number' || Array.isArray(poolSizeOrArgs);
    const args: Pooling2DArgs = positional ? maybeArgs : ((poolSizeOrArgs as Pooling2DArgs | undefined) ?? {});
    super(args);
    checkOptions(this.label, args, POOLING_KEYS);
    const poolSize = positional ? (poolSizeOrArgs as IntOrPair) : (args.poolSize ?? 2);
    this.poolSize = normalizePair(this.label, 'poolSize', poolSize);
    this.strides = args.strides == null ? this.poolSize : normalizePair(this.label, 'strides', args.strides);
    this.padding = normalizePadding(this.label, args.padding ?? 'valid');
    checkChannelsLast(this.label, args.dataFormat);
  }

  protected abstract pool(x: Tensor): Tensor;

  call(x: Tensor): Tensor {
    if (x.rank !== 4) throw new Error(`${this.label} expects a 4-D input [batch, height, width, channels], got shape ${formatShape(x.shape)}`);
    spatialOutputShape(this.label, x.shape, this.poolSize, this.strides, this.padding);
    return this.pool(x);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const [h, w] = spatialOutputShape(this.label, inputShape, this.poolSize, this.strides, this.padding);
    return [inputShape[0] ?? null, h, w, inputShape[3] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: [...this.poolSize], strides: [...this.strides], padding: this.padding, dataFormat: 'channels_last' };
  }
}

/** The maximum over each window, per channel. */
export class MaxPooling2D extends Pooling2D {
  static override readonly className = 'MaxPooling2D';
  protected pool(x: Tensor): Tensor {
    return maxPool(x, this.poolSize, this.strides, this.padding);
  }
}

/**
 * The mean over each window, per channel. With `'same'` padding the border windows average only the
 * real input values, not the zero padding (TensorFlow's and so Keras' behaviour).
 */
export class AveragePooling2D extends Pooling2D {
  static override readonly className = 'AveragePooling2D';
  protected pool(x: Tensor): Tensor {
    return avgPool(x, this.poolSize, this.strides, this.padding);
  }
}

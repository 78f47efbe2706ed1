/** GlobalAveragePooling2D and GlobalMaxPooling2D: one value per channel over the whole image (Keras 3). */
import { max, mean, formatShape } from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';
import { Layer, checkOptions } from '../engine/layer';
import type { LayerArgs, SymbolicShape } from '../engine/layer';
import { checkChannelsLast, formatSymbolic } from './conv2d';

export interface GlobalPooling2DArgs extends LayerArgs {
  /** Keep the spatial axes as size 1 (`[batch, 1, 1, channels]`) instead of dropping them. Default false. */
  keepdims?: boolean;
  /** Only `'channels_last'` (NHWC) is supported. */
  dataFormat?: 'channels_last';
}

abstract class GlobalPooling2D extends Layer {
  readonly keepdims: boolean;

  constructor(args: GlobalPooling2DArgs = {}) {
    super(args);
    checkOptions(this.label, args, ['keepdims', 'dataFormat']);
    checkChannelsLast(this.label, args.dataFormat);
    this.keepdims = args.keepdims ?? false;
  }

  protected abstract reduce(x: Tensor): Tensor;

  call(x: Tensor): Tensor {
    if (x.rank !== 4) throw new Error(`${this.label} expects a 4-D input [batch, height, width, channels], got shape ${formatShape(x.shape)}`);
    return this.reduce(x);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length !== 4) throw new Error(`${this.label} expects a 4-D input [batch, height, width, channels], got shape ${formatSymbolic(inputShape)}`);
    const batch = inputShape[0] ?? null;
    const channels = inputShape[3] ?? null;
    return this.keepdims ? [batch, 1, 1, channels] : [batch, channels];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), keepdims: this.keepdims, dataFormat: 'channels_last' };
  }
}

/** The mean of each channel over height and width. */
export class GlobalAveragePooling2D extends GlobalPooling2D {
  static override readonly className = 'GlobalAveragePooling2D';
  protected reduce(x: Tensor): Tensor {
    return mean(x, [1, 2], this.keepdims);
  }
}

/** The maximum of each channel over height and width. */
export class GlobalMaxPooling2D extends GlobalPooling2D {
  static override readonly className = 'GlobalMaxPooling2D';
  protected reduce(x: Tensor): Tensor {
    return max(x, [1, 2], this.keepdims);
  }
}

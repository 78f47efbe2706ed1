/**
 * 1-D and 3-D windowed pooling (Keras 3 MaxPooling1D/3D, AveragePooling1D/3D) and the global poolings over
 * sequences and volumes (GlobalMax/GlobalAveragePooling1D/3D), channels-last. The 2-D ones live in
 * ../pooling.ts and ../global-pooling.ts.
 */
import { avgPool1d, avgPool3d, div, expandDims, max, maxPool1d, maxPool3d, mean, mul, sum, formatShape, Tensor } from '@minikeras/tensor';
import { Layer } from '../../engine/layer';
import type { CallContext, LayerArgs, SymbolicShape } from '../../engine/layer';
import { LAYOUTS, checkDataFormat, checkLayerOptions, checkRank, normalizeTuple } from '../layer-utils';
import { convSpatialShape } from '../convolutional/base-conv';
import type { IntOrTuple } from '../convolutional/base-conv';

export interface PoolingArgs extends LayerArgs {
  /** Window size (default 2 on every axis). May also be the first constructor argument. */
  poolSize?: IntOrTuple;
  /** Default: the pool size (non-overlapping windows), as Keras' `strides=None`. */
  strides?: IntOrTuple | null;
  /** 'valid' (default) or 'same'. */
  padding?: 'valid' | 'same';
  /** Only 'channels_last'. */
  dataFormat?: 'channels_last' | null;
}

abstract class Pooling extends Layer {
  readonly rank: 1 | 3;
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';

  constructor(rank: 1 | 3, poolSizeOrArgs: IntOrTuple | PoolingArgs | undefined, maybeArgs: PoolingArgs) {
    const positional = typeof poolSizeOrArgs === 'number' || Array.isArray(poolSizeOrArgs);
    const args: PoolingArgs = positional ? maybeArgs : ((poolSizeOrArgs as PoolingArgs | undefined) ?? {});
    super(args);
    checkLayerOptions(this.label, args, ['poolSize', 'strides', 'padding', 'dataFormat']);
    this.rank = rank;
    this.poolSize = normalizeTuple(this.label, 'poolSize', positional ? poolSizeOrArgs : (args.poolSize ?? 2), rank);
    this.strides = args.strides == null ? [...this.poolSize] : normalizeTuple(this.label, 'strides', args.strides, rank);
    const p = typeof args.padding === 'string' ? args.padding.toLowerCase() : args.padding ?? 'valid';
    if (p !== 'valid' && p !== 'same') throw new Error(`${this.label}: padding must be 'valid' or 'same', got ${JSON.stringify(args.padding)}`);
    this.padding = p;
    checkDataFormat(this.label, args.dataFormat);
  }

  protected spatial(shape: SymbolicShape): (number | null)[] {
    return convSpatialShape(this.label, this.rank, shape, this.poolSize, this.strides, this.padding, this.poolSize.map(() => 1));
  }

  protected abstract pool(x: Tensor): Tensor;

  call(x: Tensor): Tensor {
    this.spatial(x.shape);
    return this.pool(x);
  }

  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [inputShape[0] ?? null, ...this.spatial(inputShape), inputShape[this.rank + 1] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: [...this.poolSize], strides: [...this.strides], padding: this.padding, dataFormat: 'channels_last' };
  }
}

type Triple = [number, number, number];

/** The maximum over windows of a sequence `[batch, steps, channels]`. */
export class MaxPooling1D extends Pooling {
  static override readonly className = 'MaxPooling1D';
  constructor(poolSize?: IntOrTuple, args?: PoolingArgs);
  constructor(args?: PoolingArgs);
  constructor(poolSizeOrArgs?: IntOrTuple | PoolingArgs, args: PoolingArgs = {}) {
    super(1, poolSizeOrArgs, args);
  }
  protected pool(x: Tensor): Tensor {
    return maxPool1d(x, this.poolSize[0]!, this.strides[0]!, this.padding);
  }
}

/** The mean over windows of a sequence; with 'same' padding, border windows average only real values (TensorFlow's rule). */
export class AveragePooling1D extends Pooling {
  static override readonly className = 'AveragePooling1D';
  constructor(poolSize?: IntOrTuple, args?: PoolingArgs);
  constructor(args?: PoolingArgs);
  constructor(poolSizeOrArgs?: IntOrTuple | PoolingArgs, args: PoolingArgs = {}) {
    super(1, poolSizeOrArgs, args);
  }
  protected pool(x: Tensor): Tensor {
    return avgPool1d(x, this.poolSize[0]!, this.strides[0]!, this.padding);
  }
}

/** The maximum over windows of a volume `[batch, depth, height, width, channels]`. */
export class MaxPooling3D extends Pooling {
  static override readonly className = 'MaxPooling3D';
  constructor(poolSize?: IntOrTuple, args?: PoolingArgs);
  constructor(args?: PoolingArgs);
  constructor(poolSizeOrArgs?: IntOrTuple | PoolingArgs, args: PoolingArgs = {}) {
    super(3, poolSizeOrArgs, args);
  }
  protected pool(x: Tensor): Tensor {
    return maxPool3d(x, this.poolSize as Triple, this.strides as Triple, this.padding);
  }
}

/** The mean over windows of a volume (padding left out of the average, as TensorFlow). */
export class AveragePooling3D extends Pooling {
  static override readonly className = 'AveragePooling3D';
  constructor(poolSize?: IntOrTuple, args?: PoolingArgs);
  constructor(args?: PoolingArgs);
  constructor(poolSizeOrArgs?: IntOrTuple | PoolingArgs, args: PoolingArgs = {}) {
    super(3, poolSizeOrArgs, args);
  }
  protected pool(x: Tensor): Tensor {
    return avgPool3d(x, this.poolSize as Triple, this.strides as Triple, this.padding);
  }
}

export interface GlobalPoolingArgs extends LayerArgs {
  /** Keep the pooled axes with size 1 (default false). */
  keepdims?: boolean;
  dataFormat?: 'channels_last' | null;
}

abstract class GlobalPooling extends Layer {
  readonly rank: 1 | 3;
  readonly keepdims: boolean;
  constructor(rank: 1 | 3, args: GlobalPoolingArgs) {
    super(args);
    checkLayerOptions(this.label, args, ['keepdims', 'dataFormat']);
    checkDataFormat(this.label, args.dataFormat);
    this.rank = rank;
    this.keepdims = args.keepdims ?? false;
  }
  protected get axes(): number[] {
    return this.rank === 1 ? [1] : [1, 2, 3];
  }
  protected check(x: Tensor): void {
    if (x.rank !== this.rank + 2) throw new Error(`${this.label} expects a ${this.rank + 2}-D input ${LAYOUTS[this.rank]}, got shape ${formatShape(x.shape)}`);
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    checkRank(this.label, inputShape, this.rank + 2, LAYOUTS[this.rank]);
    const c = inputShape[this.rank + 1] ?? null;
    return this.keepdims ? [inputShape[0] ?? null, ...this.axes.map(() => 1), c] : [inputShape[0] ?? null, c];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: 'channels_last', keepdims: this.keepdims };
  }
}

/**
 * The mean of each channel over the steps. With a mask (from an Embedding with maskZero or a Masking
 * layer), only unmasked steps are averaged, as Keras does.
 */
export class GlobalAveragePooling1D extends GlobalPooling {
  static override readonly className = 'GlobalAveragePooling1D';
  override supportsMasking = true;
  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
  }
  call(x: Tensor, ctx: CallContext): Tensor {
    this.check(x);
    const mask = ctx.mask instanceof Tensor ? ctx.mask : null;
    if (!mask) return mean(x, 1, this.keepdims);
    if (mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1]) {
      throw new Error(`${this.label}: the mask must have shape [batch, steps] = [${x.shape[0]}, ${x.shape[1]}], got ${formatShape(mask.shape)}`);
    }
    const m = expandDims(mask, -1);
    return div(sum(mul(x, m), 1, this.keepdims), sum(m, 1, this.keepdims));
  }
  /** The steps are pooled away, so no mask goes on. */
  override computeMask(): null {
    return null;
  }
}

/** The maximum of each channel over the steps. */
export class GlobalMaxPooling1D extends GlobalPooling {
  static override readonly className = 'GlobalMaxPooling1D';
  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
  }
  call(x: Tensor): Tensor {
    this.check(x);
    return max(x, 1, this.keepdims);
  }
}

/** The mean of each channel over depth, height and width. */
export class GlobalAveragePooling3D extends GlobalPooling {
  static override readonly className = 'GlobalAveragePooling3D';
  constructor(args: GlobalPoolingArgs = {}) {
    super(3, args);
  }
  call(x: Tensor): Tensor {
    this.check(x);
    return mean(x, [1, 2, 3], this.keepdims);
  }
}

/** The maximum of each channel over depth, height and width. */
export class GlobalMaxPooling3D extends GlobalPooling {
  static override readonly className = 'GlobalMaxPooling3D';
  constructor(args: GlobalPoolingArgs = {}) {
    super(3, args);
  }
  call(x: Tensor): Tensor {
    this.check(x);
    return max(x, [1, 2, 3], this.keepdims);
  }
}

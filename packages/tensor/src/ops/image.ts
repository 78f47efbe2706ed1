/**
 * Image resizing (NHWC) for Keras' Resizing and UpSampling2D(interpolation='bilinear'): `resizeBilinear` and
 * `resizeNearestNeighbor`, with Keras 3's (TensorFlow 2's `tf.image.resize`, antialias off) half-pixel
 * centers by default. tfjs' `tf.image.resizeBilinear` defaults to the legacy TensorFlow 1 coordinates
 * (halfPixelCenters false), which tfjs-layers' UpSampling2D uses; pass `{ halfPixelCenters: false }` for those.
 */
import { Tensor, opResult } from '../tensor';
import type { TensorLike } from '../tensor';
import { formatShape } from '../shape';
import { kernels } from '../kernels';
import type { ResizeGeometry } from '../kernels/resize';
import { record } from '../autograd';
import { toTensor } from './creation';
import { reshape } from './shape';
import { allocFloat32 } from '../alloc';
import { asFloat, floatValues } from './conv-util';

/** How `resizeBilinear` / `resizeNearestNeighbor` map output pixels onto input pixels (TensorFlow's options). */
export interface ResizeOptions {
  /** Map the corner pixels of input and output onto each other (TensorFlow 1's align_corners); default false. */
  alignCorners?: boolean;
  /** Pixel centers at +0.5 (TensorFlow 2 / Keras 3); default true. Cannot be combined with alignCorners. */
  halfPixelCenters?: boolean;
}

/**
 * Bilinear resize of NHWC `images` [batch, height, width, channels] (or [height, width, channels]) to
 * `size` `[newHeight, newWidth]`: what Keras 3's `ops.image.resize(x, size, interpolation='bilinear')` and
 * tfjs' `tf.image.resizeBilinear(x, size, false, true)` compute. Differentiable with respect to `images`.
 */
export function resizeBilinear(images: TensorLike, size: readonly [number, number], options: ResizeOptions = {}): Tensor {
  return resize('resizeBilinear', images, size, options);
}

/**
 * Nearest-neighbour resize (Keras 3's `interpolation='nearest'`, tfjs' `tf.image.resizeNearestNeighbor(x, size,
 * false, true)`): output pixel r copies input row floor((r + 0.5) * in / out). For an integer upscale factor
 * this repeats each pixel, as UpSampling2D does (see also `repeat`).
 */
export function resizeNearestNeighbor(images: TensorLike, size: readonly [number, number], options: ResizeOptions = {}): Tensor {
  return resize('resizeNearestNeighbor', images, size, options);
}

function resize(op: 'resizeBilinear' | 'resizeNearestNeighbor', images: TensorLike, size: readonly [number, number], options: ResizeOptions): Tensor {
  const input = asFloat(toTensor(images));
  if (input.rank !== 4 && input.rank !== 3) {
    throw new Error(`${op}: images must have rank 4 [batch, height, width, channels] or rank 3 [height, width, channels], got rank ${input.rank} (shape ${formatShape(input.shape)})`);
  }
  if (!Array.isArray(size) || size.length !== 2 || !size.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${op}: size must be [newHeight, newWidth] of positive integers, got ${JSON.stringify(size)}`);
  }
  const alignCorners = options.alignCorners ?? false, halfPixelCenters = options.halfPixelCenters ?? true;
  if (alignCorners && halfPixelCenters) {
    throw new Error(`${op}: alignCorners and halfPixelCenters cannot both be true (halfPixelCenters is on by default; pass halfPixelCenters: false with alignCorners: true)`);
  }
  const x4 = input.rank === 3 ? reshape(input, [1, ...input.shape]) : input;
  const [batch, inHeight, inWidth, channels] = x4.shape as [number, number, number, number];
  if (inHeight < 1 || inWidth < 1) throw new Error(`${op}: images must have a height and width of at least 1, got shape ${formatShape(input.shape)}`);
  const g: ResizeGeometry = { batch, inHeight, inWidth, channels, outHeight: size[0], outWidth: size[1], alignCorners, halfPixelCenters };
  const out = allocFloat32(batch * g.outHeight * g.outWidth * channels);
  const bilinear = op === 'resizeBilinear';
  if (bilinear) kernels().resizeBilinear(x4.values as Float32Array, out, g);
  else kernels().resizeNearest(x4.values as Float32Array, out, g);
  const y = record(new Tensor(out, [batch, g.outHeight, g.outWidth, channels]), op, [x4], (dy) => {
    const dx = allocFloat32(x4.size);
    if (bilinear) kernels().resizeBilinearGrad(floatValues(dy), dx, g);
    else kernels().resizeNearestGrad(floatValues(dy), dx, g);
    return [opResult(dx, x4.shape)];
  });
  return input.rank === 3 ? reshape(y, y.shape.slice(1)) : y;
}

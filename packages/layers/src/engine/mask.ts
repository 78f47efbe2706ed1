/**
 * Keras masks: a boolean-like tensor [batch, time] riding along with a tensor (Keras 3 sets `_keras_mask` on
 * it). An Embedding with `maskZero` or a Masking layer attaches one; layers that support masking pass it on
 * (`computeMask`) and layers that use it (recurrent layers, pooling over time, losses) read it from their call
 * context. Kept beside the tensors in a WeakMap, so tensors stay plain and a mask lives as long as its tensor.
 */
import type { Tensor } from '@minikeras/tensor';

const masks = new WeakMap<Tensor, Tensor>();

/** The mask riding with `t`, or null. */
export function getMask(t: Tensor): Tensor | null {
  return masks.get(t) ?? null;
}

/** Attaches `mask` to `t` (or removes it, for null). */
export function setMask(t: Tensor, mask: Tensor | null): void {
  if (mask) masks.set(t, mask);
  else masks.delete(t);
}

import { Tensor } from '../tensor';
import type { TensorLike } from '../tensor';
import { rngFor } from '../random';
import { formatShape } from '../shape';
import { toTensor } from './creation';
import { mul } from './elementwise';
import { allocFloat32 } from '../alloc';

/**
 * Zeroes each value with probability `rate` and scales the survivors by 1 / (1 - rate) (inverted dropout,
 * as Keras and tfjs). `noiseShape` broadcasts one mask across axes; `seed` makes the mask private and fixed,
 * otherwise it is drawn from the global seeded stream.
 */
export function dropout(x: TensorLike, rate: number, noiseShape?: readonly number[], seed?: number): Tensor {
  const t = toTensor(x);
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return t;
  const shape = noiseShape ?? t.shape;
  if (shape.length !== t.rank || shape.some((d, i) => d !== t.shape[i] && d !== 1)) {
    throw new Error(`dropout: noiseShape ${formatShape(shape)} must have the rank of x ${formatShape(t.shape)}, with each axis equal to x's or 1`);
  }
  const rng = rngFor(seed);
  const size = shape.reduce((p, d) => p * d, 1);
  const mask = allocFloat32(size);
  const scale = 1 / (1 - rate);
  for (let i = 0; i < size; i++) mask[i] = rng.uniform() >= rate ? scale : 0;
  return mul(t, new Tensor(mask, shape));
}

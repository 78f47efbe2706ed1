/**
 * 1-D and 3-D max and average pooling (channels-last), next to the 2-D `maxPool` / `avgPool` of `conv.ts`.
 * The 1-D ops are the 2-D ones on a height-1 image; the 3-D ones run `kernels/pool3d.ts`. Same rules as 2-D:
 * padding never wins a max, and 'same' average pooling divides each window by the number of real (non-padding)
 * elements it covers (TensorFlow's rule, so Keras'). `strides` default to the pool size, as in Keras.
 */
import { Tensor, opResult } from '../tensor';
import type { TensorLike } from '../tensor';
import { formatShape } from '../shape';
import { kernels } from '../kernels';
import type { Pool3dGeometry } from '../kernels/pool3d';
import { isRecording, record } from '../autograd';
import { toTensor } from './creation';
import { reshape } from './shape';
import { avgPool, maxPool } from './conv';
import { allocFloat32 } from '../alloc';
import { asFloat, floatValues, positiveTuple, resolveAxis } from './conv-util';

type Triple = number | readonly [number, number, number];

/** Max pooling of NWC `x` [batch, width, channels] (or [width, channels]) over windows of `poolSize`. */
export function maxPool1d(x: TensorLike, poolSize: number, strides: number = poolSize, pad: 'valid' | 'same' = 'valid'): Tensor {
  return pool1d('maxPool1d', x, poolSize, strides, pad);
}

/** Average pooling of NWC `x` over windows of `poolSize` ('same': padding left out of each average). */
export function avgPool1d(x: TensorLike, poolSize: number, strides: number = poolSize, pad: 'valid' | 'same' = 'valid'): Tensor {
  return pool1d('avgPool1d', x, poolSize, strides, pad);
}

function pool1d(op: 'maxPool1d' | 'avgPool1d', x: TensorLike, poolSize: number, strides: number, pad: 'valid' | 'same'): Tensor {
  const t = toTensor(x);
  if (t.rank !== 3 && t.rank !== 2) {
    throw new Error(`${op}: input must have rank 3 [batch, width, channels] or rank 2 [width, channels], got rank ${t.rank} (shape ${formatShape(t.shape)})`);
  }
  const [p] = positiveTuple(op, 'poolSize', poolSize, 1, 'width');
  const [s] = positiveTuple(op, 'strides', strides, 1, 'width');
  checkPoolPadding(op, pad);
  const w = t.shape[t.rank - 2]!;
  if (pad === 'valid' && w < p!) throw new Error(`${op}: the output would be empty: the pool window of ${p} does not fit in the width of ${w} with 'valid' padding`);
  const x4 = reshape(t, [...t.shape.slice(0, -2), 1, ...t.shape.slice(-2)]);
  const y = (op === 'maxPool1d' ? maxPool : avgPool)(x4, [1, p!], [1, s!], pad);
  return reshape(y, [...t.shape.slice(0, -2), y.shape[y.rank - 2]!, y.shape[y.rank - 1]!]);
}

/** Max pooling of NDHWC `x` [batch, depth, height, width, channels] (or without batch). */
export function maxPool3d(x: TensorLike, poolSize: Triple, strides: Triple = poolSize, pad: 'valid' | 'same' = 'valid'): Tensor {
  return pool3d('maxPool3d', x, poolSize, strides, pad);
}

/** Average pooling of NDHWC `x` ('same': padding left out of each average). */
export function avgPool3d(x: TensorLike, poolSize: Triple, strides: Triple = poolSize, pad: 'valid' | 'same' = 'valid'): Tensor {
  return pool3d('avgPool3d', x, poolSize, strides, pad);
}

function checkPoolPadding(op: string, pad: unknown): void {
  if (pad !== 'valid' && pad !== 'same') throw new Error(`${op}: padding must be 'valid' or 'same', got ${typeof pad === 'string' ? `'${pad}'` : JSON.stringify(pad)}`);
}

function pool3d(op: 'maxPool3d' | 'avgPool3d', x: TensorLike, poolSize: Triple, strides: Triple, pad: 'valid' | 'same'): Tensor {
  const input = asFloat(toTensor(x));
  if (input.rank !== 5 && input.rank !== 4) {
    throw new Error(`${op}: input must have rank 5 [batch, depth, height, width, channels] or rank 4 (without batch), got rank ${input.rank} (shape ${formatShape(input.shape)})`);
  }
  const x5 = input.rank === 4 ? reshape(input, [1, ...input.shape]) : input;
  const [batch, inDepth, inHeight, inWidth, channels] = x5.shape as [number, number, number, number, number];
  const f = positiveTuple(op, 'poolSize', poolSize, 3, 'depth, height, width');
  const s = positiveTuple(op, 'strides', strides, 3, 'depth, height, width');
  checkPoolPadding(op, pad);
  const [az, ay, ax] = (['depth', 'height', 'width'] as const).map((name, i) => resolveAxis(op, name, pad, [inDepth, inHeight, inWidth][i]!, f[i]!, s[i]!, 1));
  const g: Pool3dGeometry = {
    batch, inDepth, inHeight, inWidth, channels, outDepth: az!.out, outHeight: ay!.out, outWidth: ax!.out,
    filterDepth: f[0]!, filterHeight: f[1]!, filterWidth: f[2]!, strideDepth: s[0]!, strideHeight: s[1]!, strideWidth: s[2]!,
    padFront: az!.before, padTop: ay!.before, padLeft: ax!.before,
  };
  const out = allocFloat32(batch * g.outDepth * g.outHeight * g.outWidth * channels);
  const xv = x5.values as Float32Array;
  let arg: Int32Array | null = null;
  if (op === 'maxPool3d') {
    // The winners are only needed (and only recorded) when a gradient will be asked for.
    arg = isRecording() && x5.requiresGrad ? new Int32Array(out.length) : null;
    kernels().maxPool3d(xv, out, arg, g);
  } else {
    kernels().avgPool3d(xv, out, g);
  }
  const y = record(new Tensor(out, [batch, g.outDepth, g.outHeight, g.outWidth, channels]), op, [x5], (dy) => {
    const dx = allocFloat32(x5.size);
    if (arg) kernels().maxPool2dGradArgmax(arg, floatValues(dy), dx);
    else kernels().avgPool3dGrad(floatValues(dy), dx, g);
    return [opResult(dx, x5.shape)];
  });
  return input.rank === 4 ? reshape(y, y.shape.slice(1)) : y;
}

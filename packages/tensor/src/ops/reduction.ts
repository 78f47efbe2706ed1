/** Reductions (sum, mean, max, ...) and softmax; each backward beside its forward. */
import { Tensor, opResult } from '../tensor';
import type { TensorLike } from '../tensor';
import type { Shape } from '../shape';
import { formatShape, normalizeAxes, normalizeAxis, shapesEqual, sizeOf } from '../shape';
import { kernels } from '../kernels';
import { record } from '../autograd';
import { toTensor } from './creation';
import { reshape, transpose } from './shape';
import { add, exp, log, sub } from './elementwise';
import { keptShape, reduceRaw } from './sum-to';
import { allocFloat32 } from '../alloc';

export { sumTo } from './sum-to';

function broadcastBack(dy: Tensor, xShape: Shape, axes: readonly number[]): Float32Array {
  const out = allocFloat32(sizeOf(xShape));
  kernels().broadcastTo(dy.values, keptShape(xShape, axes), out, xShape);
  return out;
}

/** Sum over `axis` (one axis, a list, or all when omitted); `keepDims` keeps reduced axes as size 1. */
export function sum(x: TensorLike, axis?: number | readonly number[], keepDims = false): Tensor {
  const t = toTensor(x);
  const axes = normalizeAxes('sum', axis, t.rank);
  return record(reduceRaw('sum', t, axes, keepDims), 'sum', [t], (dy) => [opResult(broadcastBack(dy, t.shape, axes), t.shape)]);
}

/** Mean over `axis` (one axis, a list, or all when omitted); `keepDims` keeps reduced axes as size 1. */
export function mean(x: TensorLike, axis?: number | readonly number[], keepDims = false): Tensor {
  const t = toTensor(x);
  const axes = normalizeAxes('mean', axis, t.rank);
  let count = 1;
  for (const a of axes) count *= t.shape[a]!;
  const s = reduceRaw('sum', t, axes, keepDims);
  const inv = 1 / count;
  for (let i = 0; i < s.size; i++) s.values[i]! *= inv;
  return record(s, 'mean', [t], (dy) => {
    const dx = broadcastBack(dy, t.shape, axes);
    for (let i = 0; i < dx.length; i++) dx[i]! *= inv;
    return [opResult(dx, t.shape)];
  });
}

function extremum(op: 'max' | 'min', x: TensorLike, axis: number | readonly number[] | undefined, keepDims: boolean): Tensor {
  const t = toTensor(x);
  const axes = normalizeAxes(op, axis, t.rank);
  const y = reduceRaw(op, t, axes, keepDims);
  return record(y, op, [t], (dy) => {
    // The gradient is shared equally among tied extrema, as TensorFlow's reduce_max gradient does.
    const yb = broadcastBack(y, t.shape, axes);
    const mask = allocFloat32(t.size);
    for (let i = 0; i < t.size; i++) mask[i] = t.values[i] === yb[i] ? 1 : 0;
    const counts = reduceRaw('sum', opResult(mask, t.shape), axes, true);
    const cb = broadcastBack(counts, t.shape, axes);
    const db = broadcastBack(dy, t.shape, axes);
    for (let i = 0; i < t.size; i++) mask[i] = (mask[i]! * db[i]!) / cb[i]!;
    return [opResult(mask, t.shape)];
  });
}

/** Maximum over `axis` (one axis, a list, or all when omitted); on ties the gradient is shared equally. */
export const max = (x: TensorLike, axis?: number | readonly number[], keepDims = false): Tensor => extremum('max', x, axis, keepDims);
/** Minimum over `axis` (one axis, a list, or all when omitted); on ties the gradient is shared equally. */
export const min = (x: TensorLike, axis?: number | readonly number[], keepDims = false): Tensor => extremum('min', x, axis, keepDims);

/** Product over `axis` (one axis, a list, or all when omitted). */
export function prod(x: TensorLike, axis?: number | readonly number[], keepDims = false): Tensor {
  const t = toTensor(x);
  const axes = normalizeAxes('prod', axis, t.rank);
  const y = reduceRaw('prod', t, axes, keepDims);
  return record(y, 'prod', [t], (dy) => {
    // d prod / d x_i = product of the others: prefix * suffix products, exact even where x_i = 0.
    const perm = kernels().permutationForAxes(t.rank, axes);
    const moved = transpose(t, perm);
    const r = axes.reduce((p, a) => p * t.shape[a]!, 1);
    const rows = t.size / Math.max(r, 1);
    const g = allocFloat32(t.size);
    const dyFlat = dy.values;
    for (let row = 0; row < rows; row++) {
      const o = row * r;
      let prefix = 1;
      for (let j = 0; j < r; j++) { g[o + j] = prefix; prefix *= moved.values[o + j]!; }
      let suffix = 1;
      for (let j = r - 1; j >= 0; j--) { g[o + j]! *= suffix * dyFlat[row]!; suffix *= moved.values[o + j]!; }
    }
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => { inverse[p] = i; });
    return [transpose(opResult(g, moved.shape), inverse)];
  });
}

/** Index (int32) of the largest value along `axis`; the first one on ties. The default axis is 0, as in tfjs. */
export function argMax(x: TensorLike, axis = 0): Tensor {
  const t = toTensor(x);
  return reduceRaw('argMax', t, [normalizeAxis('argMax', axis, t.rank)], false);
}

/** Index (int32) of the smallest value along `axis`; the first one on ties. The default axis is 0, as in tfjs. */
export function argMin(x: TensorLike, axis = 0): Tensor {
  const t = toTensor(x);
  return reduceRaw('argMin', t, [normalizeAxis('argMin', axis, t.rank)], false);
}

function lastAxisOp(name: 'softmax' | 'logSoftmax', x: TensorLike, axis: number): Tensor {
  const t = toTensor(x);
  if (t.rank === 0) throw new Error(`${name}: expected a tensor of rank >= 1, got a scalar`);
  const ax = normalizeAxis(name, axis, t.rank);
  if (ax !== t.rank - 1) {
    // Move the axis last, apply, move it back: transpose is differentiable, so the gradient composes.
    const perm = Array.from({ length: t.rank }, (_, i) => i);
    perm[ax] = t.rank - 1;
    perm[t.rank - 1] = ax;
    return transpose(lastAxisOp(name, transpose(t, perm), -1), perm);
  }
  const n = t.shape[t.rank - 1]!;
  const rows = n === 0 ? 0 : t.size / n;
  const out = allocFloat32(t.size);
  const k = kernels();
  if (name === 'softmax') k.softmax(t.values, rows, n, out);
  else k.logSoftmax(t.values, rows, n, out);
  const y = opResult(out, t.shape);
  return record(y, name, [t], (dy) => {
    const dx = allocFloat32(t.size);
    if (name === 'softmax') k.softmaxGrad(y.values, dy.values, rows, n, dx);
    else k.logSoftmaxGrad(y.values, dy.values, rows, n, dx);
    return [opResult(dx, t.shape)];
  });
}

/** Numerically stable softmax along `axis` (default: last). */
export const softmax = (x: TensorLike, axis = -1): Tensor => lastAxisOp('softmax', x, axis);
/** log(softmax(x)) computed as x - logsumexp(x), without forming softmax. */
export const logSoftmax = (x: TensorLike, axis = -1): Tensor => lastAxisOp('logSoftmax', x, axis);

/** log(sum(exp(x))) along `axis`, stable for large inputs. */
export function logSumExp(x: TensorLike, axis?: number | readonly number[], keepDims = false): Tensor {
  const t = toTensor(x);
  const axes = normalizeAxes('logSumExp', axis, t.rank);
  const m = reduceRaw('max', t, axes, true);
  for (let i = 0; i < m.size; i++) if (!Number.isFinite(m.values[i]!)) m.values[i] = 0;
  // m is a constant (no graph), so d/dx = softmax(x) comes out of the composition exactly.
  const shifted = sub(t, m);
  const s = log(sum(exp(shifted), axes, true));
  const out = add(s, m);
  return keepDims ? out : reshape(out, t.shape.filter((_, i) => !axes.includes(i)));
}


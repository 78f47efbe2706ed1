/**
 * Reductions over a set of axes. Every reduction is expressed as [outer, reduced, inner] after the
 * reduced axes are made contiguous, so the common cases (all axes, last axis, leading axes) are simple loops.
 */
import type { Shape } from '../shape';
import type { NumArray } from './elementwise';

/** The reductions of `Backend.reduce`: values (sum, max, min, prod) or int32 indices (argMax, argMin). */
export type ReduceOp = 'sum' | 'max' | 'min' | 'prod' | 'argMax' | 'argMin';

/** True when `axes` (sorted) form one contiguous run, so the tensor views as [outer, reduced, inner]. */
function contiguousSplit(shape: Shape, axes: readonly number[]): [number, number, number] | null {
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1]! + 1) return null;
  let outer = 1, reduced = 1, inner = 1;
  const first = axes[0] ?? shape.length, last = axes[axes.length - 1] ?? shape.length - 1;
  for (let i = 0; i < shape.length; i++) {
    if (i < first) outer *= shape[i]!;
    else if (i <= last) reduced *= shape[i]!;
    else inner *= shape[i]!;
  }
  return [outer, reduced, inner];
}

/** Moves the reduced axes to the end (a transpose), for reductions over non-contiguous axes. */
export function permutationForAxes(rank: number, axes: readonly number[]): number[] {
  const kept = [];
  for (let i = 0; i < rank; i++) if (!axes.includes(i)) kept.push(i);
  return [...kept, ...axes];
}

export function reduce(op: ReduceOp, x: NumArray, shape: Shape, axes: readonly number[], out: NumArray): void {
  const split = contiguousSplit(shape, axes);
  if (!split) throw new Error(`reduce: axes ${axes} must be contiguous; transpose first`);
  const [outer, reduced, inner] = split;
  if (op === 'sum' && inner > 1) {
    sumStrided(x, outer, reduced, inner, out);
    return;
  }
  for (let o = 0; o < outer; o++) {
    const base = o * reduced * inner;
    for (let i = 0; i < inner; i++) {
      const start = base + i;
      let acc: number;
      switch (op) {
        case 'sum': {
          acc = 0;
          for (let r = 0; r < reduced; r++) acc += x[start + r * inner]!;
          break;
        }
        case 'prod': {
          acc = 1;
          for (let r = 0; r < reduced; r++) acc *= x[start + r * inner]!;
          break;
        }
        case 'max': case 'min': {
          const isMax = op === 'max';
          acc = reduced === 0 ? (isMax ? -Infinity : Infinity) : x[start]!;
          for (let r = 1; r < reduced; r++) {
            const v = x[start + r * inner]!;
            if (v !== v) { acc = NaN; break; }
            if (isMax ? v > acc : v < acc) acc = v;
          }
          break;
        }
        case 'argMax': case 'argMin': {
          const isMax = op === 'argMax';
          let best = x[start]!;
          acc = 0;
          for (let r = 1; r < reduced; r++) {
            const v = x[start + r * inner]!;
            // The first NaN wins, as in NumPy's argmax.
            if (best !== best) break;
            if (v !== v || (isMax ? v > best : v < best)) { best = v; acc = r; }
          }
          break;
        }
      }
      out[o * inner + i] = acc;
    }
  }
}

let sumAcc = new Float64Array(0);

/**
 * Sum over the middle axis of [outer, reduced, inner] with inner > 1 (a bias gradient: [N·H·W, C] -> [C]).
 * Walks the input in memory order, accumulating a row of `inner` float64 sums, instead of one strided pass per
 * output that re-reads the array `inner` times; each output still adds its terms in the same order.
 */
function sumStrided(x: NumArray, outer: number, reduced: number, inner: number, out: NumArray): void {
  if (sumAcc.length < inner) sumAcc = new Float64Array(inner);
  const acc = sumAcc;
  for (let o = 0; o < outer; o++) {
    acc.fill(0, 0, inner);
    let s = o * reduced * inner;
    for (let r = 0; r < reduced; r++, s += inner) for (let i = 0; i < inner; i++) acc[i]! += x[s + i]!;
    const base = o * inner;
    for (let i = 0; i < inner; i++) out[base + i] = acc[i]!;
  }
}

/** Numerically stable softmax along the last axis of a [rows, n] view. */
export function softmax(x: NumArray, rows: number, n: number, out: NumArray): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) if (x[o + j]! > max) max = x[o + j]!;
    if (max === -Infinity) max = 0;
    let sum = 0;
    for (let j = 0; j < n; j++) { const e = Math.exp(x[o + j]! - max); out[o + j] = e; sum += e; }
    const inv = 1 / sum;
    for (let j = 0; j < n; j++) out[o + j]! *= inv;
  }
}

/** log-softmax along the last axis: x - max - log(sum(exp(x - max))). */
export function logSoftmax(x: NumArray, rows: number, n: number, out: NumArray): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let max = -Infinity;
    for (let j = 0; j < n; j++) if (x[o + j]! > max) max = x[o + j]!;
    if (max === -Infinity) max = 0;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp(x[o + j]! - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < n; j++) out[o + j] = x[o + j]! - lse;
  }
}

/** dx = y * (dy - sum(dy * y)) per row, where y = softmax(x). */
export function softmaxGrad(y: NumArray, dy: NumArray, rows: number, n: number, out: NumArray): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let dot = 0;
    for (let j = 0; j < n; j++) dot += dy[o + j]! * y[o + j]!;
    for (let j = 0; j < n; j++) out[o + j] = y[o + j]! * (dy[o + j]! - dot);
  }
}

/** dx = dy - exp(y) * sum(dy) per row, where y = logSoftmax(x). */
export function logSoftmaxGrad(y: NumArray, dy: NumArray, rows: number, n: number, out: NumArray): void {
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += dy[o + j]!;
    for (let j = 0; j < n; j++) out[o + j] = dy[o + j]! - Math.exp(y[o + j]!) * sum;
  }
}

/**
 * The raw reduction loop (no gradient recording) and `sumTo`, which sums a broadcast gradient back to its
 * input's shape. Kept apart from reduction.ts because the backward passes of the elementwise, shape and
 * matmul ops need `sumTo`, while reduction.ts builds `logSumExp` from elementwise and shape ops: with
 * `sumTo` here, none of these modules import each other in a circle.
 */
import { Tensor, opResult } from '../tensor';
import type { Shape } from '../shape';
import { formatShape, shapesEqual, sizeOf } from '../shape';
import { kernels } from '../kernels';
import type { ReduceOp } from '../kernels';
import { allocFloat32 } from '../alloc';

function isContiguous(axes: readonly number[]): boolean {
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1]! + 1) return false;
  return true;
}

/** The input shape with reduced axes set to 1: the shape `dy` is viewed as before broadcasting back. */
export function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Reduces `t` over `axes` with the kernel `op`, recording no gradient. */
export function reduceRaw(op: ReduceOp, t: Tensor, axes: readonly number[], keepDims: boolean): Tensor {
  let values = t.values;
  let shape: Shape = t.shape;
  let reduceAxes = axes;
  const k = kernels();
  if (!isContiguous(axes)) {
    const perm = k.permutationForAxes(t.rank, axes);
    const moved = allocFloat32(t.size);
    k.transpose(values, shape, perm, moved);
    values = moved;
    shape = perm.map((p) => t.shape[p]!);
    reduceAxes = axes.map((_, i) => t.rank - axes.length + i);
  }
  const outShape = keepDims ? keptShape(t.shape, axes) : t.shape.filter((_, i) => !axes.includes(i));
  const isArg = op === 'argMax' || op === 'argMin';
  const out = isArg ? new Int32Array(sizeOf(outShape)) : allocFloat32(sizeOf(outShape));
  k.reduce(op, values, shape, reduceAxes, out);
  return opResult(out, Object.freeze(outShape));
}

/** Sums a broadcast gradient back to the shape of the input it was broadcast from. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const reduced = reduceRaw('sum', g, axes, false);
  if (reduced.size !== sizeOf(shape)) {
    throw new Error(`sumTo: cannot reduce gradient of shape ${formatShape(g.shape)} to ${formatShape(shape)}`);
  }
  return new Tensor(reduced.values, shape);
}

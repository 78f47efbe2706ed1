import { Tensor, opResult } from '../tensor';
import type { TensorLike } from '../tensor';
import { broadcastShapes, formatShape, sizeOf, stridesOf } from '../shape';
import type { Shape } from '../shape';
import { kernels } from '../kernels';
import { record } from '../autograd';
import { toTensor } from './creation';
import { sumTo } from './sum-to';
import { reshape } from './shape';
import { allocFloat32 } from '../alloc';

/**
 * Matrix product of the last two axes, with optional transposes (tfjs signature). Leading (batch) axes
 * broadcast by NumPy's rules, so a plain matrix is shared across the other operand's batch.
 */
export function matmul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  const x = toTensor(a), y = toTensor(b);
  if (x.rank < 2 || y.rank < 2) {
    throw new Error(`matmul: both operands need rank >= 2, got shapes ${formatShape(x.shape)} and ${formatShape(y.shape)}`);
  }
  const m = x.shape[x.rank - (transposeA ? 1 : 2)]!;
  const kA = x.shape[x.rank - (transposeA ? 2 : 1)]!;
  const kB = y.shape[y.rank - (transposeB ? 1 : 2)]!;
  const n = y.shape[y.rank - (transposeB ? 2 : 1)]!;
  if (kA !== kB) {
    throw new Error(`matmul: inner dimensions must agree: ${formatShape(x.shape)}${transposeA ? 'ᵀ' : ''} x ${formatShape(y.shape)}${transposeB ? 'ᵀ' : ''} has ${kA} vs ${kB}`);
  }
  if (x.rank === 2 && y.rank === 2) {
    // Plain matrices (every Dense layer): no batch bookkeeping.
    const out = allocFloat32(m * n);
    kernels().matmul(x.values, y.values, out, m, kA, n, transposeA, transposeB, 0, 0, 0);
    return record(opResult(out, Object.freeze([m, n])), 'matmul', [x, y], (dy) => matmulGrads(x, y, dy, transposeA, transposeB));
  }
  // Batch (leading) axes broadcast as in NumPy's matmul: [2,1,m,k] x [3,k,n] -> [2,3,m,n].
  const batchA = x.shape.slice(0, -2), batchB = y.shape.slice(0, -2);
  let batchShape: number[];
  try {
    batchShape = broadcastShapes('matmul', batchA, batchB);
  } catch {
    throw new Error(`matmul: batch dimensions ${formatShape(batchA)} and ${formatShape(batchB)} cannot be broadcast (shapes ${formatShape(x.shape)} and ${formatShape(y.shape)})`);
  }
  const batches = sizeOf(batchShape);
  const offA = batchIndices(batchA, batchShape), offB = batchIndices(batchB, batchShape);
  const out = allocFloat32(batches * m * n);
  const k = kernels();
  for (let i = 0; i < batches; i++) {
    k.matmul(x.values, y.values, out, m, kA, n, transposeA, transposeB, offA[i]! * m * kA, offB[i]! * kA * n, i * m * n);
  }
  const result = new Tensor(out, [...batchShape, m, n]);
  return record(result, 'matmul', [x, y], (dy) => matmulGrads(x, y, dy, transposeA, transposeB));
}

function matmulGrads(x: Tensor, y: Tensor, dy: Tensor, transposeA: boolean, transposeB: boolean): (Tensor | null)[] {
  let da: Tensor | null = null, db: Tensor | null = null;
  if (x.requiresGrad) {
    da = transposeA ? matmul(y, dy, transposeB, true) : matmul(dy, y, false, !transposeB);
    da = sumTo(da, x.shape);
  }
  if (y.requiresGrad) {
    db = transposeB ? matmul(dy, x, true, transposeA) : matmul(x, dy, !transposeA, false);
    db = sumTo(db, y.shape);
  }
  return [da, db];
}

/** Inner product of two vectors, or matrix-vector products, via matmul. */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a), y = toTensor(b);
  if (x.rank < 1 || x.rank > 2 || y.rank < 1 || y.rank > 2) {
    throw new Error(`dot: both operands need rank 1 or 2, got shapes ${formatShape(x.shape)} and ${formatShape(y.shape)}`);
  }
  const xm = x.rank === 1 ? reshape(x, [1, x.size]) : x;
  const ym = y.rank === 1 ? reshape(y, [y.size, 1]) : y;
  const r = matmul(xm, ym);
  const shape = [...(x.rank === 1 ? [] : [x.shape[0]!]), ...(y.rank === 1 ? [] : [y.shape[1]!])];
  return reshape(r, shape);
}


/** For each position of the broadcast batch `outShape`, the index of the matching matrix in `shape`. */
function batchIndices(shape: Shape, outShape: Shape): number[] {
  const n = sizeOf(outShape);
  const strides = stridesOf(shape);
  const lead = outShape.length - shape.length;
  const outStrides = stridesOf(outShape);
  const result = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let ax = 0; ax < shape.length; ax++) {
      if (shape[ax] === 1) continue;
      const coord = Math.floor(i / outStrides[lead + ax]!) % outShape[lead + ax]!;
      src += coord * strides[ax]!;
    }
    result[i] = src;
  }
  return result;
}

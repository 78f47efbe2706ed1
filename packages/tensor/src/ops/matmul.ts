import { Tensor } from '../tensor';
import type { TensorLike } from '../tensor';
import { formatShape } from '../shape';
import { kernels } from '../kernels';
import { record } from '../autograd';
import { toTensor } from './creation';
import { sumTo } from './reduction';
import { reshape } from './shape';

/**
 * Matrix product of the last two axes, with optional transposes (tfjs signature). Leading (batch) axes
 * must match, or one operand may be a plain matrix that is shared across the other's batch.
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
  const batchA = x.shape.slice(0, -2), batchB = y.shape.slice(0, -2);
  const countA = batchA.reduce((p, d) => p * d, 1), countB = batchB.reduce((p, d) => p * d, 1);
  let batchShape: readonly number[];
  if (x.rank === 2) batchShape = batchB;
  else if (y.rank === 2) batchShape = batchA;
  else if (batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i])) batchShape = batchA;
  else throw new Error(`matmul: batch dimensions ${formatShape(batchA)} and ${formatShape(batchB)} do not match`);
  const batches = Math.max(countA, countB);
  const out = new Float32Array(batches * m * n);
  const k = kernels();
  for (let i = 0; i < batches; i++) {
    k.matmul(x.values, y.values, out, m, kA, n, transposeA, transposeB,
      countA === 1 ? 0 : i * m * kA, countB === 1 ? 0 : i * kA * n, i * m * n);
  }
  const result = new Tensor(out, [...batchShape, m, n]);
  return record(result, 'matmul', [x, y], (dy) => {
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
  });
}

/** Inner product of two vectors, or matrix-vector products, via matmul. */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a), y = toTensor(b);
  const xm = x.rank === 1 ? reshape(x, [1, x.size]) : x;
  const ym = y.rank === 1 ? reshape(y, [y.size, 1]) : y;
  const r = matmul(xm, ym);
  const shape = [...(x.rank === 1 ? [] : [x.shape[0]!]), ...(y.rank === 1 ? [] : [y.shape[1]!])];
  return reshape(r, shape);
}


/**
 * Fused training ops: fewer tensors, closures and passes per step where Keras models spend their time.
 * Each is exactly a composition of existing ops (the tests compare them with it and gradcheck them); layers and
 * losses use them only when the pattern matches, and keep the general path for everything else.
 */
import { Tensor, opResult } from '../tensor';
import { formatShape } from '../shape';
import { kernels } from '../kernels';
import { record } from '../autograd';
import { allocFloat32 } from '../alloc';

/**
 * `x · kernel + bias` for a [m, k] input, a [k, n] kernel and an optional [n] bias: one graph node instead of
 * matmul + add, whose backward gives dx = dy · kernelᵀ, dkernel = xᵀ · dy and dbias = the column sums of dy.
 */
export function linear(x: Tensor, kernel: Tensor, bias: Tensor | null = null): Tensor {
  if (x.rank !== 2 || kernel.rank !== 2 || x.shape[1] !== kernel.shape[0]) {
    throw new Error(`linear: expected an [m, k] input and a [k, n] kernel, got ${formatShape(x.shape)} and ${formatShape(kernel.shape)}`);
  }
  const m = x.shape[0]!, k = x.shape[1]!, n = kernel.shape[1]!;
  if (bias && (bias.rank !== 1 || bias.shape[0] !== n)) {
    throw new Error(`linear: expected a bias of shape [${n}], got ${formatShape(bias.shape)}`);
  }
  const ks = kernels();
  const out = allocFloat32(m * n);
  ks.matmul(x.values, kernel.values, out, m, k, n, false, false, 0, 0, 0);
  if (bias) ks.addBiasRows(out, bias.values, m, n);
  const y = opResult(out, Object.freeze([m, n]));
  const inputs = bias ? [x, kernel, bias] : [x, kernel];
  return record(y, 'linear', inputs, (dy) => {
    const kk = kernels();
    let dx: Tensor | null = null, dw: Tensor | null = null, db: Tensor | null = null;
    if (x.requiresGrad) {
      const v = allocFloat32(m * k);
      kk.matmul(dy.values, kernel.values, v, m, n, k, false, true, 0, 0, 0);
      dx = opResult(v, x.shape);
    }
    if (kernel.requiresGrad) {
      const v = allocFloat32(k * n);
      kk.matmul(x.values, dy.values, v, k, m, n, true, false, 0, 0, 0);
      dw = opResult(v, kernel.shape);
    }
    if (bias && bias.requiresGrad) {
      const v = allocFloat32(n);
      kk.sumRows(dy.values, m, n, v);
      db = opResult(v, bias.shape);
    }
    return bias ? [dx, dw, db] : [dx, dw];
  });
}

function producedBy(p: Tensor, op: string): Tensor | null {
  const node = p.node;
  return node !== null && node.op === op ? node.inputs[0]! : null;
}

/**
 * The shared body of the two fused crossentropies: when `probs` came from `producer` in the recorded graph,
 * compute the per-row loss with `lossKernel` and send the gradient straight to the producer's input (the
 * logits) with `gradKernel`. Null when the pattern does not hold or `target` needs a gradient.
 */
function fusedCrossentropy(
  name: string, producer: 'sigmoid' | 'softmax', lossKernel: 'sigmoidBceLoss' | 'softmaxCceLoss',
  gradKernel: 'sigmoidBceGrad' | 'softmaxCceGrad', target: Tensor, probs: Tensor, eps: number,
): Tensor | null {
  const logits = producedBy(probs, producer);
  if (!logits || target.requiresGrad || probs.rank === 0 || target.size !== probs.size || target.rank !== probs.rank) return null;
  const n = probs.shape[probs.rank - 1]!;
  if (n === 0) return null;
  const rows = probs.size / n;
  const out = allocFloat32(rows);
  const p = probs.values, t = target.values;
  kernels()[lossKernel](p, t, rows, n, eps, out);
  return record(opResult(out, Object.freeze(probs.shape.slice(0, -1))), name, [logits], (dy) => {
    const dz = allocFloat32(probs.size);
    kernels()[gradKernel](p, t, dy.values, rows, n, eps, dz);
    return [opResult(dz, logits.shape)];
  });
}

/**
 * Keras' binary crossentropy on probabilities (clipped to [eps, 1 - eps]), averaged over the last axis, when
 * `probs` is the output of `sigmoid`: the gradient goes straight to the logits as (p - t) / n (zero where the
 * clip bites), skipping the clip, log and sigmoid nodes. Returns null when `probs` did not come from a sigmoid
 * in the recorded graph, or `target` needs a gradient; the caller then takes the general path.
 */
export function sigmoidBinaryCrossentropy(target: Tensor, probs: Tensor, eps: number): Tensor | null {
  return fusedCrossentropy('sigmoidBinaryCrossentropy', 'sigmoid', 'sigmoidBceLoss', 'sigmoidBceGrad', target, probs, eps);
}

/**
 * Keras' categorical crossentropy on probabilities (renormalized, clipped to [eps, 1 - eps]) over the last
 * axis, when `probs` is the output of `softmax` over that axis: the gradient goes straight to the logits
 * (p - t for one-hot rows). Returns null when the pattern does not hold; the caller takes the general path.
 */
export function softmaxCategoricalCrossentropy(target: Tensor, probs: Tensor, eps: number): Tensor | null {
  return fusedCrossentropy('softmaxCategoricalCrossentropy', 'softmax', 'softmaxCceLoss', 'softmaxCceGrad', target, probs, eps);
}

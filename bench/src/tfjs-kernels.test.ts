import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerChainedOpsForOrthogonal, registerScatterAddSegmentSum } from './tfjs-kernels';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('what the tfjs worker registers for W4, against tfjs-backend-cpu 4.22 itself', () => {
  const own = tf.getKernel('UnsortedSegmentSum', 'cpu')!;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });
  // Put tfjs' own kernel back for anything else in this worker.
  afterAll(() => {
    tf.unregisterKernel('UnsortedSegmentSum', 'cpu');
    tf.registerKernel(own);
  });

  it("the scatter-add UnsortedSegmentSum gives tfjs' own results: the op, and the embedding gradient through gather", () => {
    // Ids with repeats and with segments no id hits (as a batch leaves most of a vocabulary untouched).
    const ids = tf.tensor1d([3, 0, 7, 3, 3, 11, 0, 19, 7, 2, 2, 5, 19, 3, 8, 0, 1, 13, 13, 6], 'int32');
    const x = tf.randomUniform([20, 4], -1, 1, 'float32', 1);
    const params = tf.randomUniform([20, 4], -1, 1, 'float32', 2);
    const ids2d = tf.reshape(ids, [4, 5]);
    const w = tf.randomUniform([4, 5, 4], -1, 1, 'float32', 3);
    const run = () => ({
      op: tf.unsortedSegmentSum(x, ids, 20).dataSync().slice(),
      grad: tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, ids2d), w)))(params).dataSync().slice(),
    });
    const theirs = run();
    expect(registerScatterAddSegmentSum('cpu')).toMatch(/replaced by a plain-JS scatter-add: tfjs-cpu 4.22 builds a mask per vocabulary id/);
    expect(tf.getKernel('UnsortedSegmentSum', 'cpu')!.kernelFunc).not.toBe(own.kernelFunc);
    const mine = run();
    // Rows never hit stay exactly 0; the sums agree to float32 rounding (tfjs sums in another order).
    expect(Array.from(mine.op.subarray(4 * 4, 5 * 4))).toEqual([0, 0, 0, 0]);
    expect(maxAbsDiff(mine.op, theirs.op)).toBeLessThan(1e-6);
    expect(maxAbsDiff(mine.grad, theirs.grad)).toBeLessThan(1e-6);
    // Not a trivial agreement: the sums are there.
    expect(Math.max(...Array.from(theirs.op, Math.abs))).toBeGreaterThan(0.5);
  });

  it('on tfjs-backend-wasm (which has no UnsortedSegmentSum) the scatter-add gives tfjs-cpu\'s results', async () => {
    const ids = tf.tensor1d([4, 1, 4, 9, 0, 1, 4, 7], 'int32');
    const x = tf.randomUniform([8, 6], -1, 1, 'float32', 7);
    const cpu = tf.unsortedSegmentSum(x, ids, 12).dataSync().slice();
    const xv = x.dataSync().slice(), iv = ids.dataSync().slice();
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    try {
      const xw = tf.tensor2d(xv, [8, 6]), iw = tf.tensor1d(iv, 'int32');
      expect(() => tf.unsortedSegmentSum(xw, iw, 12)).toThrow(/Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'/);
      expect(registerScatterAddSegmentSum('wasm')).toMatch(/tfjs-wasm 4.22 has none/);
      expect(maxAbsDiff(tf.unsortedSegmentSum(xw, iw, 12).dataSync(), cpu)).toBeLessThan(1e-6);
    } finally {
      tf.unregisterKernel('UnsortedSegmentSum', 'wasm');
      await tf.setBackend('cpu');
    }
  });

  it("tfjs-layers' Orthogonal initializer needs the chained methods, and with them gives orthonormal rows", () => {
    const init = tfl.initializers.orthogonal({ seed: 5 });
    expect(() => init.apply([8, 16])).toThrow(/is not a function/);
    registerChainedOpsForOrthogonal();
    const q = init.apply([8, 16]);
    expect(q.shape).toEqual([8, 16]);
    const gram = tf.matMul(q, q, false, true).dataSync();
    const eye = Array.from({ length: 64 }, (_, i) => (i % 9 === 0 ? 1 : 0));
    expect(maxAbsDiff(gram, eye)).toBeLessThan(1e-5);
  });
});

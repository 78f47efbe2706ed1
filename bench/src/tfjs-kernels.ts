/**
 * What the tfjs worker adds to tfjs-core 4.22 so that tfjs can train W4 at all (see docs/performance.md, W4):
 * the chained tensor methods tfjs-layers' Orthogonal initializer calls, and a usable UnsortedSegmentSum kernel.
 * A module of its own so that tests can check the kernel against tfjs-backend-cpu's own.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs-layers' Orthogonal initializer (the LSTM's default recurrentInitializer) and the QR factorization it calls
 * use chained tensor methods, which only the umbrella package registers (with a second copy of tfjs-core if
 * imported from here): the five it calls, defined as tfjs-core's chained_ops define them.
 */
export function registerChainedOpsForOrthogonal(): void {
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const define = (name: string, fn: (this: tf.Tensor, ...args: never[]) => tf.Tensor) => { if (typeof proto[name] !== 'function') proto[name] = fn; };
  define('flatten', function () { return tf.reshape(this, [this.size]); });
  define('reshape', function (shape: number[]) { return tf.reshape(this, shape); });
  define('transpose', function (perm?: number[]) { return tf.transpose(this, perm); });
  define('sign', function () { return tf.sign(this); });
  define('stridedSlice', function (begin: number[], end: number[], strides: number[]) { return tf.stridedSlice(this, begin, end, strides); });
}

/** The parts of the cpu and wasm backend objects a kernel uses (as their own kernels do). */
interface CpuBackendLike {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}
interface WasmBackendLike {
  readSync(dataId: object): ArrayLike<number>;
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/**
 * W4 needs UnsortedSegmentSum, the gradient of GatherV2 (the Embedding's lookup), and neither tfjs backend has a
 * usable one: tfjs-backend-wasm 4.22 has none ("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'"),
 * and tfjs-backend-cpu's builds, for each of the 10,000 ids, an equal/cast/multiply/sum over the whole
 * [3200, 64] gradient and keeps all of those products until it packs the result (10,000 × 819 KB ≈ 8 GB and
 * minutes per step: 1.2 GB resident after 38 CPU-seconds of the first step, when it was stopped).
 * To measure tfjs on W4 at all, W4 jobs register this one kernel as a plain scatter-add loop
 * (out[ids[i]] += x[i], about 0.2 M additions per step); every other op stays the backend's own. This favours
 * tfjs; the row's notes say so.
 */
export function registerScatterAddSegmentSum(backendName: 'cpu' | 'wasm'): string {
  const scatter = (xv: ArrayLike<number>, iv: ArrayLike<number>, n: number, inner: number, o: Float32Array) => {
    o.fill(0);
    for (let i = 0; i < n; i++) {
      const dst = iv[i]! * inner, src = i * inner;
      for (let j = 0; j < inner; j++) o[dst + j] += xv[src + j]!;
    }
  };
  if (tf.getKernel('UnsortedSegmentSum', backendName)) tf.unregisterKernel('UnsortedSegmentSum', backendName);
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const x = inputs.x!, ids = inputs.segmentIds!;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const n = ids.shape.reduce((p, d) => p * d, 1);
      const innerShape = x.shape.slice(ids.shape.length);
      const inner = innerShape.reduce((p, d) => p * d, 1);
      if (backendName === 'cpu') {
        const b = backend as unknown as CpuBackendLike;
        const o = new Float32Array(numSegments * inner);
        scatter(b.data.get(x.dataId).values, b.data.get(ids.dataId).values, n, inner, o);
        return b.makeTensorInfo([numSegments, ...innerShape], 'float32', o);
      }
      const b = backend as unknown as WasmBackendLike;
      const out = b.makeOutput([numSegments, ...innerShape], 'float32');
      scatter(b.readSync(x.dataId), b.readSync(ids.dataId), n, inner, b.typedArrayFromHeap(out));
      return out;
    },
  });
  return `UnsortedSegmentSum (the embedding gradient) replaced by a plain-JS scatter-add: tfjs-${backendName} 4.22 ${backendName === 'wasm' ? 'has none' : 'builds a mask per vocabulary id (~8 GB, minutes per step)'}`;
}

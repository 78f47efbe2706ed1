/**
 * The data every system trains on: the digits bundled with minikeras (`mnist.loadData({ normalize: true })`,
 * the 8,000 training images), in one fixed shuffled order cut into the same batches for every system, with
 * one-hot labels (Keras' mnist_convnet uses `to_categorical` + categorical cross-entropy). Every child loads it
 * the same way, so the data's share of peak RSS is the same for all systems.
 */
import { mnist } from '@minikeras/datasets';

export interface Batches {
  /** Batch i's images are rows [i·batchSize, (i+1)·batchSize) of `x` (784 floats per row, 0..1). */
  x: Float32Array;
  /** One-hot labels, 10 floats per row, same rows as `x`. */
  y: Float32Array;
  /** Integer labels of the same rows. */
  labels: Int32Array;
  batchSize: number;
  count: number;
}

/** A fixed LCG permutation (Fisher-Yates), identical in every process and system. */
export function fixedPermutation(n: number, seed = 20261123): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/**
 * The training digits in the fixed order, as `floor(samples / batchSize)` whole batches.
 * `samples` (default all 8,000) takes a prefix of the shuffled order.
 */
export async function mnistBatches(batchSize: number, samples?: number): Promise<Batches> {
  const { train } = await mnist.loadData({ normalize: true });
  const n = train.y.shape[0]!;
  const use = Math.min(n, samples ?? n);
  const count = Math.floor(use / batchSize);
  if (count < 1) throw new Error(`mnistBatches: ${use} samples do not fill one batch of ${batchSize}`);
  const rows = count * batchSize;
  const perm = fixedPermutation(n);
  const src = train.x.values as Float32Array;
  const srcLabels = train.y.values;
  const x = new Float32Array(rows * 784);
  const y = new Float32Array(rows * 10);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const i = perm[r]!;
    x.set(src.subarray(i * 784, (i + 1) * 784), r * 784);
    const label = srcLabels[i]!;
    labels[r] = label;
    y[r * 10 + label] = 1;
  }
  return { x, y, labels, batchSize, count };
}

/** W4's shapes: a vocabulary of 10,000 ids (0 is never drawn, as a padding id would not be), 100-token sequences. */
export const W4_VOCAB = 10_000;
export const W4_SEQ_LEN = 100;
export const W4_EMBED = 64;
export const W4_UNITS = 64;
/** Sequences W4 trains on: 64 batches of 32, cycled (every id appears about 20 times). */
export const W4_SEQUENCES = 2048;

export interface TokenBatches {
  /** Batch i's ids are rows [i·batchSize, (i+1)·batchSize) of `x`, `seqLen` ids per row (whole numbers as float32). */
  x: Float32Array;
  /** 0/1 targets, one per row. */
  y: Float32Array;
  batchSize: number;
  count: number;
  seqLen: number;
}

/**
 * W4's synthetic token data, identical in every process and system: ids drawn uniformly from [1, vocab) by a
 * fixed LCG, and a learnable label, 1 when ids below vocab / 2 outnumber the others in the sequence (a counting
 * task: the loss falls as the LSTM learns it). `sequences` (default `W4_SEQUENCES`) are cut into whole batches.
 */
export function tokenBatches(batchSize: number, sequences = W4_SEQUENCES, seqLen = W4_SEQ_LEN, vocab = W4_VOCAB, seed = 20261205): TokenBatches {
  const count = Math.floor(sequences / batchSize);
  if (count < 1) throw new Error(`tokenBatches: ${sequences} sequences do not fill one batch of ${batchSize}`);
  const rows = count * batchSize;
  const x = new Float32Array(rows * seqLen);
  const y = new Float32Array(rows);
  let s = seed >>> 0;
  for (let r = 0; r < rows; r++) {
    let low = 0;
    for (let t = 0; t < seqLen; t++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      // The high bits of an LCG are the random ones.
      const id = 1 + Math.floor(((s >>> 8) / 2 ** 24) * (vocab - 1));
      x[r * seqLen + t] = id;
      if (id < vocab / 2) low++;
    }
    y[r] = low > seqLen - low ? 1 : 0;
  }
  return { x, y, batchSize, count, seqLen };
}

/** XOR: inputs [[0,0],[0,1],[1,0],[1,1]] and targets [0,1,1,0]. */
export const XOR_X = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
export const XOR_Y = new Float32Array([0, 1, 1, 0]);

export function peakRssMiB(): number {
  // maxRSS is in KiB.
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * The workloads of issue 7 (W1-W3) and issue 14 (W4) and what one measured item (a sample, or a whole step for W3) costs in useful
 * floating-point work, so that rates convert to effective GFLOP/s.
 */
import type { Protocol } from './protocol';

export type WorkloadId = 'w1' | 'w1b' | 'w2' | 'w3' | 'w4';
export type SystemId = 'minikeras' | 'tfjs-cpu' | 'tfjs-wasm' | 'brain.js' | 'convnetjs';
/** tob = trainOnBatch (or the peer's own per-batch call), fit = model.fit; memory = W1 fit for 50 epochs. */
export type Api = 'tob' | 'fit' | 'memory';

export interface Workload {
  id: WorkloadId;
  title: string;
  batchSize: number;
  /** What the rate counts: samples (MNIST digits, W4's sequences) or steps (XOR: one step = the 4 samples as one batch). */
  unit: 'samples/s' | 'steps/s';
  /** FLOP per counted item: matrix products forward and backward (see `denseFlops`, `convFlops`). */
  flopPerItem: number;
}

/** Forward, weight gradient and (unless the layer sees the input) input gradient: 2·in·out each, per sample. */
function denseFlops(inputs: number, units: number, needsInputGrad: boolean): number {
  return 2 * inputs * units * (needsInputGrad ? 3 : 2);
}

/** A valid 3x3 convolution: 2·outH·outW·filters·(3·3·channels) per product, same three products as Dense. */
function convFlops(outSide: number, channels: number, filters: number, needsInputGrad: boolean): number {
  return 2 * outSide * outSide * filters * 9 * channels * (needsInputGrad ? 3 : 2);
}

// W1: 784x128 fwd + dW = 401,408; 128x10 fwd + dW + dX = 7,680; total 409,088 FLOP per sample.
const W1_FLOP = denseFlops(784, 128, false) + denseFlops(128, 10, true);
// W2: conv1 26x26x32 over 3x3x1 fwd + dW = 778,752; conv2 11x11x64 over 3x3x32 x3 = 13,381,632;
// dense 1600x10 x3 = 96,000; total 14,256,384 FLOP per sample (pooling, relu, Adam not counted).
const W2_FLOP = convFlops(26, 1, 32, false) + convFlops(11, 32, 64, true) + denseFlops(1600, 10, true);
// W3: 2x8 fwd + dW = 64; 8x1 x3 = 48; 112 FLOP per sample, 4 samples per step.
const W3_FLOP = 4 * (denseFlops(2, 8, false) + denseFlops(8, 1, true));

/**
 * An LSTM over a whole sequence, per sample: every step's input projection x·W (D→4U) and recurrent product
 * h·R (U→4U), each forward, weight gradient and input gradient (the embedding needs dL/dx; the first step's
 * h·R on h0 = 0 is counted too, as every peer runs it).
 */
function lstmFlops(timesteps: number, features: number, units: number): number {
  return timesteps * (2 * features * 4 * units * 3 + 2 * units * 4 * units * 3);
}

// W4: LSTM 100 x (64·256·2·3 + 64·256·2·3) = 19,660,800; Dense 64x1 x3 = 384; 19,661,184 FLOP per sequence
// (the embedding lookup and its scatter-add, the gate math and Adam not counted).
const W4_FLOP = lstmFlops(100, 64, 64) + denseFlops(64, 1, true);

export const WORKLOADS: Record<WorkloadId, Workload> = {
  w1: { id: 'w1', title: 'W1 MLP 784-128(relu)-10(softmax), CE, Adam(1e-3), batch 32', batchSize: 32, unit: 'samples/s', flopPerItem: W1_FLOP },
  w1b: { id: 'w1b', title: 'W1b the same MLP, batch 128', batchSize: 128, unit: 'samples/s', flopPerItem: W1_FLOP },
  w2: { id: 'w2', title: 'W2 Keras mnist_convnet (Conv32-Pool-Conv64-Pool-Flatten-Dropout(0.5)-Dense10), CE, Adam, batch 128', batchSize: 128, unit: 'samples/s', flopPerItem: W2_FLOP },
  w3: { id: 'w3', title: 'W3 XOR 2-8(tanh)-1(sigmoid), BCE, SGD(0.1), the 4 samples as one batch', batchSize: 4, unit: 'steps/s', flopPerItem: W3_FLOP },
  w4: { id: 'w4', title: 'W4 Embedding(10k, 64)-LSTM(64)-Dense(1, sigmoid), BCE, Adam(1e-3), 100-token sequences, batch 32', batchSize: 32, unit: 'samples/s', flopPerItem: W4_FLOP },
};

export const SYSTEMS: readonly SystemId[] = ['minikeras', 'tfjs-cpu', 'tfjs-wasm', 'brain.js', 'convnetjs'];

/** One child process: one system, one workload, one API. */
export interface Job {
  system: SystemId;
  workload: WorkloadId;
  api: Api;
  protocol: Protocol;
  /** The parent kills the child after this many seconds (model build and data load included). */
  timeoutSeconds: number;
  /** Pass-through settings (the memory job's epochs and samples, tests' tiny data). */
  options?: { trainSamples?: number; epochs?: number; sampleEpochs?: number[] };
  /** Write a V8 CPU profile of the timed reps only (warm-up excluded) to this file. */
  profilePath?: string;
}

export interface MemorySample {
  epoch: number;
  rssMiB: number;
  heapTotalMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  arrayBuffersMiB: number;
}

/** What a child prints (one JSON line, tagged) for its job. */
export interface JobResult {
  job: Job;
  status: 'ok' | 'fails' | 'error' | 'timeout' | 'skipped';
  /** Items (samples, or steps for W3) per second, one per timed rep. */
  rates: number[];
  /** Items per second of process CPU time, one per timed rep: robust to waiting for a core on a busy machine. */
  cpuRates?: number[];
  /** CPU seconds / wall seconds over the timed reps. */
  cpuShare?: number;
  peakRssMiB?: number;
  /** The library's own description of where it ran (backend, SIMD, threads). */
  backend?: string;
  firstLoss?: number;
  lastLoss?: number;
  warmupSteps?: number;
  stepsTimed?: number;
  cutShort?: boolean;
  memory?: MemorySample[];
  message?: string;
  /** Wall seconds of the whole child, load and build included. */
  processSeconds?: number;
}

export const RESULT_TAG = 'BENCH_RESULT ';

/**
 * brain.js 1.6.1 in a child process. It has no minibatches (every sample gets its own update), one activation
 * for all layers (sigmoid here, output included) and an MSE-style output error, so W1 is its closest model:
 * 784-128-10 sigmoid, its default SGD (lr 0.3, momentum 0.1), batch 1; one step = one sample.
 * W3: 2-8-1 sigmoid, lr 0.1, momentum 0; one step = the 4 samples, one `trainPattern` each.
 * `trainPattern` is the per-sample call inside brain's own `train` loop.
 */
import brain from 'brain.js';
import { XOR_X, XOR_Y, mnistBatches } from '../data';
import { measureSync } from '../protocol';
import { fromTiming, lossRecorder, runWorker } from '../worker';
import type { Outcome } from '../worker';
import type { Job } from '../workloads';

interface Pattern { input: ArrayLike<number>; output: ArrayLike<number> }
/** The parts of brain's NeuralNetwork that its typings leave out. */
interface BrainNet {
  sizes: number[];
  trainOpts: { learningRate: number; momentum: number };
  initialize(): void;
  trainPattern(p: Pattern, logErrorRate?: boolean): number | null;
}

function makeNet(sizes: number[], learningRate: number, momentum: number): BrainNet {
  const net = new brain.NeuralNetwork({ hiddenLayers: sizes.slice(1, -1), activation: 'sigmoid' }) as unknown as BrainNet;
  net.sizes = sizes;
  net.initialize();
  // Set directly: brain's option validation rejects momentum 0.
  net.trainOpts.learningRate = learningRate;
  net.trainOpts.momentum = momentum;
  return net;
}

async function run(job: Job): Promise<Outcome> {
  const backend = 'brain.js 1.6.1 (plain JS, Float64 arrays)';
  if (job.api !== 'tob') throw new Error(`brain.js worker: only its per-sample trainPattern is measured, not '${job.api}'`);
  if (job.workload === 'w3') {
    const net = makeNet([2, 8, 1], 0.1, 0);
    const patterns: Pattern[] = [0, 1, 2, 3].map((i) => ({ input: XOR_X.subarray(2 * i, 2 * i + 2), output: XOR_Y.subarray(i, i + 1) }));
    const loss = lossRecorder();
    let check = 0;
    const timing = measureSync(() => {
      for (let i = 0; i < 4; i++) net.trainPattern(patterns[i]!);
      // The error only every 1024th step, to keep its cost out of the loop (first and last are what we report).
      if ((check++ & 1023) === 0) loss.see(net.trainPattern(patterns[0]!, true));
    }, job.protocol);
    return { ...fromTiming(timing, 1), backend, firstLoss: loss.first, lastLoss: loss.last };
  }
  if (job.workload !== 'w1') throw new Error(`brain.js worker: brain.js 1.6.1 has no minibatches or convolutions (${job.workload})`);
  const b = await mnistBatches(32, job.options?.trainSamples);
  const rows = b.count * b.batchSize;
  const patterns: Pattern[] = [];
  for (let r = 0; r < rows; r++) patterns.push({ input: b.x.subarray(r * 784, (r + 1) * 784), output: b.y.subarray(r * 10, (r + 1) * 10) });
  const net = makeNet([784, 128, 10], 0.3, 0.1);
  const loss = lossRecorder();
  let i = 0;
  const timing = measureSync(() => {
    const err = net.trainPattern(patterns[i]!, (i & 1023) === 0);
    if (err !== null) loss.see(err);
    i = i + 1 === rows ? 0 : i + 1;
  }, job.protocol);
  return { ...fromTiming(timing, 1), backend: `${backend}, batch 1, sigmoid, SGD lr 0.3 momentum 0.1`, firstLoss: loss.first, lastLoss: loss.last };
}

await runWorker(run);

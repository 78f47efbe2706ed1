/**
 * ConvNetJS 0.3.0 in a child process. It computes in Float64 one sample at a time and updates every
 * `batch_size` samples, so a step = one minibatch of `train()` calls, as Keras' batches. The npm release has
 * no Adam (only later GitHub sources do): W1/W2 use its 'windowgrad' (RMSprop-like) at lr 1e-3, W3 plain SGD
 * at lr 0.1 with softmax(2) + cross-entropy instead of sigmoid + BCE (it has no sigmoid output layer).
 */
import convnetjs from 'convnetjs';
import type { Vol } from 'convnetjs';
import { XOR_X, XOR_Y, mnistBatches } from '../data';
import { measureSync } from '../protocol';
import { fromTiming, lossRecorder, runWorker } from '../worker';
import type { Outcome } from '../worker';
import { WORKLOADS } from '../workloads';
import type { Job } from '../workloads';

function layerDefs(job: Job): Record<string, unknown>[] {
  if (job.workload === 'w3') {
    return [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: 2 }, { type: 'fc', num_neurons: 8, activation: 'tanh' }, { type: 'softmax', num_classes: 2 }];
  }
  if (job.workload === 'w2') {
    // convnetjs inserts the fc(10) before softmax itself; pool output feeds it directly (no Flatten layer).
    return [
      { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 },
      { type: 'conv', sx: 3, filters: 32, stride: 1, pad: 0, activation: 'relu' },
      { type: 'pool', sx: 2, stride: 2 },
      { type: 'conv', sx: 3, filters: 64, stride: 1, pad: 0, activation: 'relu' },
      { type: 'pool', sx: 2, stride: 2 },
      { type: 'dropout', drop_prob: 0.5 },
      { type: 'softmax', num_classes: 10 },
    ];
  }
  return [{ type: 'input', out_sx: 1, out_sy: 1, out_depth: 784 }, { type: 'fc', num_neurons: 128, activation: 'relu' }, { type: 'softmax', num_classes: 10 }];
}

async function run(job: Job): Promise<Outcome> {
  if (job.api !== 'tob') throw new Error(`convnetjs worker: only Trainer.train is measured, not '${job.api}'`);
  const w = WORKLOADS[job.workload];
  const net = new convnetjs.Net();
  net.makeLayers(layerDefs(job));
  const xor = job.workload === 'w3';
  const trainer = new convnetjs.Trainer(net, xor
    ? { method: 'sgd', learning_rate: 0.1, momentum: 0, batch_size: 4 }
    : { method: 'windowgrad', learning_rate: 1e-3, batch_size: w.batchSize });
  const vols: Vol[] = [];
  let labels: ArrayLike<number>;
  if (xor) {
    for (let i = 0; i < 4; i++) {
      const v = new convnetjs.Vol(1, 1, 2, 0);
      v.w.set(XOR_X.subarray(2 * i, 2 * i + 2));
      vols.push(v);
    }
    labels = XOR_Y;
  } else {
    const b = await mnistBatches(w.batchSize, job.options?.trainSamples);
    const rows = b.count * b.batchSize;
    for (let r = 0; r < rows; r++) {
      const v = job.workload === 'w2' ? new convnetjs.Vol(28, 28, 1, 0) : new convnetjs.Vol(1, 1, 784, 0);
      v.w.set(b.x.subarray(r * 784, (r + 1) * 784));
      vols.push(v);
    }
    labels = b.labels;
  }
  const bs = w.batchSize;
  const rows = vols.length;
  const loss = lossRecorder();
  let next = 0;
  const timing = measureSync(() => {
    let sum = 0;
    for (let k = 0; k < bs; k++) {
      sum += trainer.train(vols[next]!, labels[next]!).cost_loss;
      next = next + 1 === rows ? 0 : next + 1;
    }
    loss.see(sum / bs);
  }, job.protocol);
  const what = xor ? 'SGD lr 0.1, softmax(2) + CE' : `windowgrad lr 1e-3, batch ${bs}`;
  return { ...fromTiming(timing, xor ? 1 : bs), backend: `convnetjs 0.3.0 (plain JS, Float64), ${what}`, firstLoss: loss.first, lastLoss: loss.last };
}

await runWorker(run);

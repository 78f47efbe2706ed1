/**
 * @tensorflow/tfjs 4.22 (tfjs-core + tfjs-layers, no umbrella package) on its 'cpu' or 'wasm' backend in a
 * child process. The wasm backend is imported only in wasm jobs, so a cpu job's RSS does not carry it.
 * Without the umbrella package the chained tensor methods are not registered, so only functional ops are used.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { W4_EMBED, W4_SEQ_LEN, W4_SEQUENCES, W4_UNITS, W4_VOCAB, XOR_X, XOR_Y, mnistBatches, tokenBatches } from '../data';
import { measureAsync } from '../protocol';
import { registerChainedOpsForOrthogonal, registerScatterAddSegmentSum } from '../tfjs-kernels';
import { BatchEndTimer, fromTiming, lossRecorder, runWorker } from '../worker';
import type { Outcome } from '../worker';
import { WORKLOADS } from '../workloads';
import type { Job, WorkloadId } from '../workloads';

function buildModel(workload: WorkloadId): tfl.Sequential {
  if (workload === 'w4') {
    registerChainedOpsForOrthogonal();
    // Keras 3's LSTM defaults: tfjs-layers' own LSTM default recurrentActivation is 'hardSigmoid', Keras 3's is
    // sigmoid (the same gate math as minikeras then). tfjs runs the cell one time step at a time, each step its
    // own ops (one matMul for all four gates from the input and one from the state).
    const m = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: W4_VOCAB, outputDim: W4_EMBED, inputLength: W4_SEQ_LEN }),
        tfl.layers.lstm({ units: W4_UNITS, recurrentActivation: 'sigmoid' }),
        tfl.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy' });
    return m;
  }
  if (workload === 'w3') {
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [2], units: 8, activation: 'tanh' }), tfl.layers.dense({ units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: tf.train.sgd(0.1), loss: 'binaryCrossentropy' });
    return m;
  }
  const m = workload === 'w2'
    ? tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dropout({ rate: 0.5 }),
        tfl.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    })
    : tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }), tfl.layers.dense({ units: 10, activation: 'softmax' })] });
  // tfjs' Adam defaults to epsilon 1e-7, as Keras.
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return m;
}

async function useBackend(job: Job): Promise<string> {
  if (job.system === 'tfjs-wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    await tf.ready();
    return `tfjs ${tf.version_core} wasm (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'yes' : 'no'}, ${wasm.getThreadsCount()} thread)`;
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return `tfjs ${tf.version_core} cpu`;
}

interface Data { x: tf.Tensor[]; y: tf.Tensor[]; allX: tf.Tensor; allY: tf.Tensor }

async function loadData(job: Job): Promise<Data> {
  if (job.workload === 'w3') {
    const x = tf.tensor2d(XOR_X, [4, 2]), y = tf.tensor2d(XOR_Y, [4, 1]);
    return { x: [x], y: [y], allX: x, allY: y };
  }
  const bs = WORKLOADS[job.workload].batchSize;
  if (job.workload === 'w4') {
    const b = tokenBatches(bs, job.options?.trainSamples ?? W4_SEQUENCES);
    if (job.api !== 'tob') return { x: [], y: [], allX: tf.tensor2d(b.x, [b.count * bs, b.seqLen]), allY: tf.tensor2d(b.y, [b.count * bs, 1]) };
    const x: tf.Tensor[] = [], y: tf.Tensor[] = [];
    for (let i = 0; i < b.count; i++) {
      x.push(tf.tensor2d(b.x.subarray(i * bs * b.seqLen, (i + 1) * bs * b.seqLen), [bs, b.seqLen]));
      y.push(tf.tensor2d(b.y.subarray(i * bs, (i + 1) * bs), [bs, 1]));
    }
    return { x, y, allX: x[0]!, allY: y[0]! };
  }
  const b = await mnistBatches(bs, job.options?.trainSamples);
  const inShape = job.workload === 'w2' ? [28, 28, 1] : [784];
  const x: tf.Tensor[] = [], y: tf.Tensor[] = [];
  // Batches come from typed-array views: tf.slice on the wasm backend copies the whole source per call.
  if (job.api === 'tob') {
    for (let i = 0; i < b.count; i++) {
      x.push(tf.tensor(b.x.subarray(i * bs * 784, (i + 1) * bs * 784), [bs, ...inShape]));
      y.push(tf.tensor2d(b.y.subarray(i * bs * 10, (i + 1) * bs * 10), [bs, 10]));
    }
    return { x, y, allX: x[0]!, allY: y[0]! };
  }
  return { x, y, allX: tf.tensor(b.x, [b.count * bs, ...inShape]), allY: tf.tensor2d(b.y, [b.count * bs, 10]) };
}

async function run(job: Job): Promise<Outcome> {
  const w = WORKLOADS[job.workload];
  const itemsPerStep = w.unit === 'steps/s' ? 1 : w.batchSize;
  let backend = await useBackend(job);
  if (job.workload === 'w4') backend += `; ${registerScatterAddSegmentSum(job.system === 'tfjs-wasm' ? 'wasm' : 'cpu')}`;
  const model = buildModel(job.workload);
  const data = await loadData(job);

  try {
    if (job.api === 'tob') {
      const loss = lossRecorder();
      let i = 0;
      const n = data.x.length;
      const timing = await measureAsync(async () => {
        loss.see(await model.trainOnBatch(data.x[i]!, data.y[i]!));
        i = i + 1 === n ? 0 : i + 1;
      }, job.protocol);
      return { ...fromTiming(timing, itemsPerStep), backend, firstLoss: loss.first, lastLoss: loss.last };
    }
    if (job.api === 'fit') {
      const timer = new BatchEndTimer(job.protocol);
      await model.fit(data.allX, data.allY, {
        batchSize: w.batchSize,
        epochs: 1e9,
        shuffle: true,
        verbose: 0,
        callbacks: {
          onBatchEnd: async (_batch, logs) => {
            if (timer.onBatchEnd(logs?.loss)) model.stopTraining = true;
          },
        },
      });
      return { ...fromTiming(timer.clock.result(), itemsPerStep), backend, firstLoss: timer.firstLoss, lastLoss: timer.lastLoss };
    }
  } catch (e) {
    // The library cannot train this model (tfjs-wasm has no Conv2DBackpropFilter kernel): a result, not a crash.
    return { status: 'fails', rates: [], backend, message: e instanceof Error ? e.message : String(e) };
  }
  throw new Error(`tfjs worker: api '${job.api}' is not measured for tfjs`);
}

await runWorker(run);

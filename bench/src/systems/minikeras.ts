/** minikeras in a child process: trainOnBatch, fit, and W1 memory over 50 epochs. */
import { Callback, Sequential, getBackendName, layers, optimizers, setSeed, tensor } from 'minikeras';
import type { Logs, Tensor } from 'minikeras';
import { W4_EMBED, W4_SEQ_LEN, W4_SEQUENCES, W4_UNITS, W4_VOCAB, XOR_X, XOR_Y, mnistBatches, tokenBatches } from '../data';
import { BatchEndTimer, fromTiming, lossRecorder, measureSyncProfiled, mib, runWorker } from '../worker';
import type { Outcome } from '../worker';
import { WORKLOADS } from '../workloads';
import type { Job, MemorySample, WorkloadId } from '../workloads';

function buildModel(workload: WorkloadId): Sequential {
  setSeed(42);
  if (workload === 'w4') {
    // Keras 3 defaults throughout (LSTM: tanh, sigmoid gates, glorot_uniform / orthogonal / zeros, unitForgetBias).
    const m = new Sequential([
      layers.Input({ shape: [W4_SEQ_LEN] }),
      new layers.Embedding(W4_VOCAB, W4_EMBED),
      new layers.LSTM(W4_UNITS),
      new layers.Dense(1, { activation: 'sigmoid' }),
    ]);
    m.compile({ optimizer: new optimizers.Adam({ learningRate: 1e-3 }), loss: 'binary_crossentropy' });
    return m;
  }
  if (workload === 'w3') {
    const m = new Sequential([layers.Input({ shape: [2] }), new layers.Dense(8, { activation: 'tanh' }), new layers.Dense(1, { activation: 'sigmoid' })]);
    m.compile({ optimizer: new optimizers.SGD({ learningRate: 0.1 }), loss: 'binary_crossentropy' });
    return m;
  }
  const m = workload === 'w2'
    ? new Sequential([
      layers.Input({ shape: [28, 28, 1] }),
      new layers.Conv2D(32, 3, { activation: 'relu' }),
      new layers.MaxPooling2D(2),
      new layers.Conv2D(64, 3, { activation: 'relu' }),
      new layers.MaxPooling2D(2),
      new layers.Flatten(),
      new layers.Dropout(0.5),
      new layers.Dense(10, { activation: 'softmax' }),
    ])
    : new Sequential([layers.Input({ shape: [784] }), new layers.Dense(128, { activation: 'relu' }), new layers.Dense(10, { activation: 'softmax' })]);
  m.compile({ optimizer: new optimizers.Adam({ learningRate: 1e-3 }), loss: 'categorical_crossentropy' });
  return m;
}

interface Data { x: Tensor[]; y: Tensor[]; allX: Tensor; allY: Tensor }

async function loadData(job: Job): Promise<Data> {
  if (job.workload === 'w3') {
    const x = tensor(XOR_X, [4, 2]), y = tensor(XOR_Y, [4, 1]);
    return { x: [x], y: [y], allX: x, allY: y };
  }
  const bs = WORKLOADS[job.workload].batchSize;
  if (job.workload === 'w4') {
    const t = tokenBatches(bs, job.options?.trainSamples ?? W4_SEQUENCES);
    const L = t.seqLen;
    const data: Data = { x: [], y: [], allX: tensor(t.x, [t.count * bs, L]), allY: tensor(t.y, [t.count * bs, 1]) };
    if (job.api === 'tob') {
      for (let i = 0; i < t.count; i++) {
        data.x.push(tensor(t.x.subarray(i * bs * L, (i + 1) * bs * L), [bs, L]));
        data.y.push(tensor(t.y.subarray(i * bs, (i + 1) * bs), [bs, 1]));
      }
    }
    return data;
  }
  const b = await mnistBatches(bs, job.options?.trainSamples);
  const inShape = job.workload === 'w2' ? [28, 28, 1] : [784];
  const data: Data = { x: [], y: [], allX: tensor(b.x, [b.count * bs, ...inShape]), allY: tensor(b.y, [b.count * bs, 10]) };
  if (job.api === 'tob') {
    for (let i = 0; i < b.count; i++) {
      data.x.push(tensor(b.x.subarray(i * bs * 784, (i + 1) * bs * 784), [bs, ...inShape]));
      data.y.push(tensor(b.y.subarray(i * bs * 10, (i + 1) * bs * 10), [bs, 10]));
    }
  }
  return data;
}

async function run(job: Job): Promise<Outcome> {
  const w = WORKLOADS[job.workload];
  const itemsPerStep = w.unit === 'steps/s' ? 1 : w.batchSize;
  const model = buildModel(job.workload);
  const data = await loadData(job);
  const backend = `minikeras ${getBackendName()}`;

  if (job.api === 'tob') {
    const loss = lossRecorder();
    let i = 0;
    const n = data.x.length;
    const timing = await measureSyncProfiled(() => {
      loss.see(model.trainOnBatch(data.x[i]!, data.y[i]!));
      i = i + 1 === n ? 0 : i + 1;
    }, job.protocol, job.profilePath);
    return { ...fromTiming(timing, itemsPerStep), backend, firstLoss: loss.first, lastLoss: loss.last };
  }

  if (job.api === 'fit') {
    const timer = new BatchEndTimer(job.protocol);
    class Timer extends Callback {
      override onBatchEnd(_batch: number, logs: Logs): void {
        if (timer.onBatchEnd(logs.loss)) this.model!.stopTraining = true;
      }
    }
    await model.fit(data.allX, data.allY, { batchSize: w.batchSize, epochs: 1e9, shuffle: true, verbose: 0, callbacks: [new Timer()] });
    return { ...fromTiming(timer.clock.result(), itemsPerStep), backend, firstLoss: timer.firstLoss, lastLoss: timer.lastLoss };
  }

  // memory: W1 fit for `epochs` epochs, sampling memory after the listed epochs (1-based).
  const epochs = job.options?.epochs ?? 50;
  const sampleAt = new Set(job.options?.sampleEpochs ?? [5, 50]);
  const memory: MemorySample[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  let lastLoss: number | undefined;
  class Sampler extends Callback {
    override onEpochEnd(epoch: number, logs: Logs): void {
      lastLoss = logs.loss;
      if (!sampleAt.has(epoch + 1)) return;
      const rss = process.memoryUsage().rss;
      // After a full collection, heap and array buffers are what is really retained.
      gc?.();
      const m = process.memoryUsage();
      memory.push({
        epoch: epoch + 1, rssMiB: mib(rss), heapTotalMiB: mib(m.heapTotal), heapUsedMiB: mib(m.heapUsed),
        externalMiB: mib(m.external), arrayBuffersMiB: mib(m.arrayBuffers),
      });
    }
  }
  // The loaded dataset (25 MB) is garbage once the batches exist; collect it now, not at some sampled epoch.
  gc?.();
  const t0 = performance.now();
  await model.fit(data.allX, data.allY, { batchSize: w.batchSize, epochs, shuffle: true, verbose: 0, callbacks: [new Sampler()] });
  const seconds = (performance.now() - t0) / 1000;
  return { rates: [(epochs * data.allX.shape[0]!) / seconds], backend, memory, lastLoss };
}

await runWorker(run);

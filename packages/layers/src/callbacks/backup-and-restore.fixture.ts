// Child process for backup-and-restore.test.ts, run with
//   node scripts/run.mjs backup-and-restore.fixture.ts <backupDir> <saveFreq: epoch|N> [killAtBatch]
// Trains a small model (Dropout, BatchNormalization, Adam with a schedule, shuffled batches) with
// BackupAndRestore. With killAtBatch it SIGKILLs itself after that many batches (counted across runs of this
// process only); otherwise it prints the final weights as float32 bit patterns.
import { Tensor, setSeed } from '@minikeras/tensor';
import { Adam, schedules } from '@minikeras/optimizers';
import { Sequential } from '../models/sequential';
import { Dense } from '../layers/dense';
import { BatchNormalization } from '../layers/batch-normalization';
import { Dropout, Input } from '../layers/core';
import { BackupAndRestore } from './backup-and-restore';
import { LambdaCallback } from './lambda-callback';

const [backupDir, freqArg, killArg] = process.argv.slice(2);
const saveFreq = freqArg === 'epoch' ? 'epoch' : Number(freqArg);
const killAt = killArg === undefined ? null : Number(killArg);
setSeed(99);

const n = 40;
const x = new Float32Array(n * 3);
const y = new Float32Array(n);
for (let i = 0; i < n; i++) {
  for (let j = 0; j < 3; j++) x[i * 3 + j] = Math.cos(i * 0.9 + j * 0.4);
  y[i] = x[i * 3]! - 0.5 * x[i * 3 + 1]! + 0.2;
}
const model = new Sequential([Input({ shape: [3] }), new Dense(8, { activation: 'relu' }), new Dropout(0.3), new BatchNormalization(), new Dense(1)]);
model.compile({ optimizer: new Adam({ learningRate: new schedules.ExponentialDecay({ initialLearningRate: 0.02, decaySteps: 4, decayRate: 0.9 }) }), loss: 'mse' });
let batches = 0;
const killer = new LambdaCallback({
  onBatchEnd: () => {
    batches++;
    if (killAt !== null && batches === killAt) process.kill(process.pid, 'SIGKILL');
  },
});
console.log('training');
await model.fit(new Tensor(x, [n, 3]), new Tensor(y, [n, 1]), { epochs: 6, batchSize: 8, verbose: 0, callbacks: [new BackupAndRestore(backupDir!, { saveFreq }), killer] });
const bits = (t: Tensor) => Array.from(new Uint32Array(Float32Array.from(t.values).buffer));
console.log(JSON.stringify({ weights: model.getWeights().map(bits), iterations: model.optimizer.iterations, batchesThisRun: batches }));

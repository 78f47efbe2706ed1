// Child process for resume.test.ts, run with `node scripts/run.mjs resume.fixture.ts <mode> <target>`:
//   full   fit 4 epochs in one go
//   first  fit 2 epochs, then save to <target> (a directory, or a Keras file such as x.keras)
//   resume load <target> in this fresh process, then fit epochs 2..4
// Prints the final weights (float32 bit patterns), optimizer iterations and per-epoch losses as JSON.
import { Tensor, setSeed } from '@minikeras/tensor';
import { Sequential } from '../models/sequential';
import { Dense } from '../layers/dense';
import { BatchNormalization } from '../layers/batch-normalization';
import { Dropout } from '../layers/core';
import { GaussianNoise } from '../layers/regularization/regularization';
import { Adam, schedules } from '@minikeras/optimizers';
import { loadModel, saveModel } from './load-model';

const [mode, dir] = process.argv.slice(2);
setSeed(1234);

function dataset(): { x: Tensor; y: Tensor } {
  const n = 40;
  const x = new Float32Array(n * 3);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) x[i * 3 + j] = Math.sin(i * 0.7 + j * 1.3);
    y[i] = x[i * 3]! * 0.5 - x[i * 3 + 2]! + 0.1;
  }
  return { x: new Tensor(x, [n, 3]), y: new Tensor(y, [n, 1]) };
}

function build(): Sequential {
  // An unseeded Dropout and a GaussianNoise (their generators are seeded from the global stream) and a
  // learning-rate schedule: all must come back exactly for the resumed run to match.
  const model = new Sequential({ name: 'reg', layers: [new Dense(8, { inputShape: [3], activation: 'relu', name: 'h' }), new Dropout(0.25, { name: 'drop' }), new GaussianNoise(0.1, { name: 'noise' }), new BatchNormalization({ name: 'bn' }), new Dense(1, { name: 'o' })] });
  const learningRate = new schedules.ExponentialDecay({ initialLearningRate: 0.01, decaySteps: 3, decayRate: 0.8 });
  model.compile({ optimizer: new Adam({ learningRate }), loss: 'mse', metrics: ['mae'] });
  return model;
}

const { x, y } = dataset();
let model: Sequential;
let losses: number[] = [];
if (mode === 'full') {
  model = build();
  losses = (await model.fit(x, y, { epochs: 4, batchSize: 8, verbose: 0 })).history['loss']!;
} else if (mode === 'first') {
  model = build();
  losses = (await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 })).history['loss']!;
  await saveModel(model, dir!);
} else {
  model = (await loadModel(dir!)) as Sequential;
  losses = (await model.fit(x, y, { epochs: 4, initialEpoch: 2, batchSize: 8, verbose: 0 })).history['loss']!;
}
const bits = (t: Tensor) => Array.from(new Uint32Array(Float32Array.from(t.values).buffer));
console.log(JSON.stringify({ weights: model.getWeights().map(bits), iterations: model.optimizer.iterations, losses, dropoutDraws: model.seedGenerators[0]!.counter }));

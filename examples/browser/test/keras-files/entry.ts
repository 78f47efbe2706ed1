// The page of keras-files.test.ts: Keras files in a real browser, through the same code as in Node
// (h5wasm's in-memory file system, fflate), loaded from a URL, from a Blob and from bytes.
import { Sequential, Tensor, layers, loadModel, optimizers, setSeed, toKerasBytes, toWeightsH5Bytes } from 'minikeras';

interface Fixture {
  inputs: { shape: number[]; values: unknown }[];
  predict_outputs: { values: unknown }[];
}

const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

async function run(): Promise<Record<string, unknown>> {
  // A model written by Keras 3, fetched by URL: predictions as Keras made them.
  const fixture = (await (await fetch('cnn_sequential.json')).json()) as Fixture;
  const keras = await loadModel(new URL('cnn_sequential.keras', location.href).href);
  const x = new Tensor(Float32Array.from(flat(fixture.inputs[0]!.values)), fixture.inputs[0]!.shape);
  const want = flat(fixture.predict_outputs[0]!.values);
  const got = (keras.predict(x) as Tensor).values;
  const maxDiff = want.reduce((m, v, i) => Math.max(m, Math.abs(v - got[i]!)), 0);
  // Our own file, through a Blob (what <input type="file"> gives), and weights through bytes.
  setSeed(3);
  const model = new Sequential([layers.Input({ shape: [4] }), new layers.Dense(5, { activation: 'relu' }), new layers.BatchNormalization(), new layers.Dense(2)]);
  model.compile({ optimizer: new optimizers.Adam({ learningRate: 0.01 }), loss: 'mse' });
  const xs = new Tensor(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), [8, 4]);
  const ys = new Tensor(Float32Array.from({ length: 16 }, (_, i) => Math.cos(i)), [8, 2]);
  await model.fit(xs, ys, { epochs: 3, batchSize: 4, verbose: 0 });
  const bytes = await toKerasBytes(model);
  const back = await loadModel(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const same = (a: Tensor, b: Tensor) => a.values.every((v, i) => Object.is(v, b.values[i]));
  const weightsBack = back.weights.every((w, i) => same(w, model.weights[i]!));
  const optimizerBack = back.optimizer.getState().every((e, i) => same(e.value, model.optimizer.getState()[i]!.value));
  const predictionsBack = same(back.predict(xs) as Tensor, model.predict(xs) as Tensor);
  // Weights (and optimizer state) as .weights.h5 bytes, into a model whose weights were zeroed.
  for (const w of back.weights) w.assign(new Tensor(new Float32Array(w.size), w.shape));
  await back.loadWeights(await toWeightsH5Bytes(model));
  const weightsFileBack = back.weights.every((w, i) => same(w, model.weights[i]!));
  return { maxDiff, iterations: keras.optimizer.iterations, weightsBack, optimizerBack, predictionsBack, weightsFileBack };
}

declare global {
  interface Window { kerasFiles: Promise<Record<string, unknown>> }
}
window.kerasFiles = run().catch((e: Error) => ({ error: `${e.message}\n${e.stack}` }));

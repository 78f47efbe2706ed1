// A small training script, as a page would ship it: test/consumer.test.ts bundles it with esbuild for the
// browser (minified) and records the size in docs/packaging.md.
import { Sequential, layers, optimizers, setSeed } from 'minikeras';

setSeed(1);
const model = new Sequential([
  layers.Input({ shape: [2] }),
  new layers.Dense(8, { activation: 'tanh' }),
  new layers.Dense(1, { activation: 'sigmoid' }),
]);
model.compile({ optimizer: new optimizers.Adam({ learningRate: 0.1 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
const history = await model.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], { epochs: 100, verbose: 0 });
document.body.textContent = `accuracy ${history.history.accuracy.at(-1)}, p(1 xor 0) = ${model.predict([[1, 0]]).mul(100).item().toFixed(0)}%`;

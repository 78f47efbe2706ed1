// A small training script, as a page would ship it: test/consumer.test.ts bundles it with esbuild for the
// browser (minified) and records the size in docs/packaging.md.
// Layers by name, as a size-conscious page imports them: a bundler then leaves out the layer
// classes the script does not use (the `layers` namespace object keeps every layer class).
import { Dense, Input, Sequential, optimizers, setSeed } from 'minikeras';

setSeed(1);
const model = new Sequential([
  Input({ shape: [2] }),
  new Dense(8, { activation: 'tanh' }),
  new Dense(1, { activation: 'sigmoid' }),
]);
model.compile({ optimizer: new optimizers.Adam({ learningRate: 0.1 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
const history = await model.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [[0], [1], [1], [0]], { epochs: 100, verbose: 0 });
document.body.textContent = `accuracy ${history.history.accuracy.at(-1)}, p(1 xor 0) = ${model.predict([[1, 0]]).mul(100).item().toFixed(0)}%`;

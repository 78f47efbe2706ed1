// The consumer's Node program (plain ESM, no loader): trains a tiny model on XOR and predicts; loads the
// bundled MNIST digits from the installed @minikeras/datasets; uses the method forms of Tensor. Prints one JSON line.
import { Sequential, layers, optimizers, datasets, setSeed, getBackendName, tensor } from 'minikeras';

setSeed(1);
const model = new Sequential([
  layers.Input({ shape: [2] }),
  new layers.Dense(8, { activation: 'tanh' }),
  new layers.Dense(1, { activation: 'sigmoid' }),
]);
model.compile({ optimizer: new optimizers.Adam({ learningRate: 0.1 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
const history = await model.fit(x, [[0], [1], [1], [0]], { epochs: 200, batchSize: 4, verbose: 0 });
const predicted = Array.from(model.predict(x).dataSync(), (p) => Math.round(p));
const { train, test } = await datasets.mnist.loadData({ normalize: true });
// The method forms (x.add(y)) are wired up when the package loads: a bundler must not drop that.
const methods = tensor([[-1, 2]]).add(1).relu().sum().item();
console.log(JSON.stringify({
  backend: getBackendName(),
  methods,
  accuracy: history.history.accuracy.at(-1),
  predicted,
  mnist: [train.x.shape, test.y.shape],
}));

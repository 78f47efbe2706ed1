import { Sequential, layers, optimizers, setSeed } from 'minikeras';

export const XOR_INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]];
export const XOR_TARGETS = [[0], [1], [1], [0]];

/** Trains a 2-8-1 network (tanh, sigmoid) on XOR and returns it with its final loss and accuracy. */
export async function trainXor(seed = 1, epochs = 200): Promise<{ model: Sequential; loss: number; accuracy: number; ms: number }> {
  setSeed(seed);
  const model = new Sequential([
    layers.Input({ shape: [2] }),
    new layers.Dense(8, { activation: 'tanh' }),
    new layers.Dense(1, { activation: 'sigmoid' }),
  ]);
  model.compile({ optimizer: new optimizers.Adam({ learningRate: 0.1 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
  const start = performance.now();
  const history = await model.fit(XOR_INPUTS, XOR_TARGETS, { epochs, batchSize: 4, verbose: 0 });
  const ms = performance.now() - start;
  const last = epochs - 1;
  return { model, loss: history.history.loss![last]!, accuracy: history.history.accuracy![last]!, ms };
}

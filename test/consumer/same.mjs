// Every export of `minikeras` must be the very object its own package exports, whether reached by import,
// by the umbrella's namespaces, or by require() (Node >= 20.19 loads ES modules with require): one copy of
// every class and of the global state. Prints one JSON line: the mismatches (none expected) and counts.
import { createRequire } from 'node:module';
import * as mk from 'minikeras';
import * as tensor from '@minikeras/tensor';
import * as optimizers from '@minikeras/optimizers';
import * as losses from '@minikeras/losses';
import * as layers from '@minikeras/layers';
import * as datasets from '@minikeras/datasets';

const mismatches = [];
let checked = 0;
const same = (where, a, b) => { checked++; if (a !== b) mismatches.push(where); };

const NAMESPACES = { optimizers, losses, datasets };
for (const [key, value] of Object.entries(mk)) {
  if (key in NAMESPACES) {
    const pkg = NAMESPACES[key];
    same(`${key} has the package's keys`, Object.keys(value).join(), Object.keys(pkg).join());
    for (const [inner, v] of Object.entries(pkg)) same(`${key}.${inner}`, value[inner], v);
  } else if (key === 'metrics') same('metrics', value, losses.metrics);
  else if (key in tensor) same(key, value, tensor[key]);
  else if (key in layers) same(key, value, layers[key]);
  else mismatches.push(`${key}: exported by minikeras but by none of its packages`);
}
// Everything the top-level packages export is reachable from minikeras.
for (const [name, pkg] of Object.entries({ tensor, layers })) {
  for (const key of Object.keys(pkg)) if (!(key in mk)) mismatches.push(`${name}.${key} is not exported by minikeras`);
}
const require = createRequire(import.meta.url);
const required = require('minikeras');
for (const key of Object.keys(mk)) same(`require('minikeras').${key}`, required[key], mk[key]);
same("require('@minikeras/tensor').Tensor", require('@minikeras/tensor').Tensor, mk.Tensor);
// The global state is shared: a seed set through one name is the seed of the other.
mk.setSeed(7);
const a = Array.from(tensor.randomUniform([3]).dataSync());
tensor.setSeed(7);
const b = Array.from(mk.randomUniform([3]).dataSync());
same('seeded stream', a.join(), b.join());
// A tensor made by @minikeras/tensor trains a minikeras model.
const model = new mk.Sequential([mk.layers.Input({ shape: [1] }), new layers.layers.Dense(1)]);
model.compile({ optimizer: new optimizers.SGD(), loss: 'mse' });
await model.fit(tensor.tensor([[1], [2]]), tensor.tensor([[2], [4]]), { epochs: 1, verbose: 0 });
same('instanceof across packages', model.predict(tensor.tensor([[1]])) instanceof mk.Tensor, true);
console.log(JSON.stringify({ checked, mismatches }));

// Type-level tests for the functional API and multi-output compile (checked by `tsc`, see the root tsconfig).
import { Tensor } from '@minikeras/tensor';
import { Model } from './model';
import { Sequential } from './sequential';
import { Add, Dense, Input } from '../layers';
import { EarlyStopping } from '../callbacks';
import type { SymbolicTensor } from '../engine/symbolic-tensor';
import type { History } from '../callbacks/callback';

const a: SymbolicTensor = Input({ shape: [4] });
const b: SymbolicTensor = new Dense(4).apply(a);
const sum: SymbolicTensor = new Add().apply([a, b]);
const real: Tensor = new Dense(2).apply(new Tensor(new Float32Array(8), [2, 4]));
void real;
// @ts-expect-error Input takes an options object with a shape
Input([4]);
// @ts-expect-error Input has no 'shapes' option
Input({ shapes: [4] });

const model = new Model({ inputs: a, outputs: [new Dense(1, { name: 'u' }).apply(sum), new Dense(1, { name: 'v' }).apply(sum)] });
const typed = model.compile({ optimizer: 'adam', loss: { u: 'mse', v: 'mae' }, metrics: { v: ['mae'] } });
void typed.fit([[1, 2, 3, 4]], [[[1]], [[2]]], { callbacks: [new EarlyStopping({ monitor: 'val_v_mae' })] });
void typed.fit([[1, 2, 3, 4]], [[[1]], [[2]]], { callbacks: [new EarlyStopping({ monitor: 'u_loss' })] });
// @ts-expect-error 'w' is not an output the losses or metrics name
void typed.fit([[1, 2, 3, 4]], [[[1]], [[2]]], { callbacks: [new EarlyStopping({ monitor: 'val_w_loss' })] });
// @ts-expect-error a misspelled loss name in a per-output record
model.compile({ optimizer: 'adam', loss: { u: 'mse', v: 'mea' } });
// @ts-expect-error lossWeights are numbers
model.compile({ optimizer: 'adam', loss: 'mse', lossWeights: { u: 'high' } });

async function histories(): Promise<void> {
  const h: History<string> = await typed.fit([[1, 2, 3, 4]], [[[1]], [[2]]]);
  void h;
}
void histories;

// Sequential keeps its narrow types: predict gives a Tensor.
const seq = new Sequential([Input({ shape: [4] }), new Dense(1)]);
const p: Tensor = seq.predict([[1, 2, 3, 4]]);
void p;
const flat = seq.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
void flat.fit([[1, 2, 3, 4]], [[1]], { callbacks: [new EarlyStopping({ monitor: 'val_mae' })] });
// @ts-expect-error not a logged key
void flat.fit([[1, 2, 3, 4]], [[1]], { callbacks: [new EarlyStopping({ monitor: 'val_mse' })] });

/** Compile-time checks: misspelled names fail tsc, and compile's metrics type fit's callbacks and History. */
import { Tensor } from '@minikeras/tensor';
import { Adam } from '@minikeras/optimizers';
import { Sequential } from './sequential';
import { Dense } from '../layers';
import { EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN } from '../callbacks';

declare const x: Tensor;
declare const y: Tensor;
const model = new Sequential([new Dense(10, { activation: 'softmax', inputShape: [4] })]);

// Names are literal unions.
model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
// @ts-expect-error misspelled optimizer
model.compile({ optimizer: 'adamm', loss: 'mse' });
// @ts-expect-error misspelled loss
model.compile({ optimizer: 'adam', loss: 'mean_sqared_error' });
// @ts-expect-error misspelled metric
model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['acuracy'] });
// @ts-expect-error misspelled activation
new Dense(3, { activation: 'rellu' });
// @ts-expect-error unknown compile option
model.compile({ optimizer: 'adam', loss: 'mse', metric: ['accuracy'] });

// compile returns the model typed with its log keys.
const typed = model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
void typed.fit(x, y, { callbacks: [new EarlyStopping({ monitor: 'val_accuracy' }), new TerminateOnNaN()] });
void typed.fit(x, y, { callbacks: [new EarlyStopping()] }); // default monitor 'val_loss'
// @ts-expect-error 'val_acc' is not logged when the metric is named 'accuracy'
void typed.fit(x, y, { callbacks: [new EarlyStopping({ monitor: 'val_acc' })] });
// @ts-expect-error ReduceLROnPlateau on a key the model never logs
void typed.fit(x, y, { callbacks: [new ReduceLROnPlateau({ monitor: 'val_mae' })] });
void typed.fit(x, y, { callbacks: [new ModelCheckpoint('ckpt', { monitor: 'accuracy' })] });

async function histories(): Promise<void> {
  const h = await typed.fit(x, y);
  const acc: number[] = h.history.val_accuracy;
  // @ts-expect-error History keys are typed too
  void h.history.val_acc;
  // An untyped model (not compiled through the returned handle) accepts any key.
  const loose = await model.fit(x, y, { callbacks: [new EarlyStopping({ monitor: 'val_whatever' })] });
  void loose.history['anything'];
  void acc;
}
void histories;

/** Type-level tests, checked by `tsc -p tsconfig.json`: each `@ts-expect-error` line must fail to compile. */
import { Dense } from './dense';
import { Activation, Dropout, Flatten, Input } from './core';
import { Conv2D } from './conv2d';
import { AveragePooling2D, MaxPooling2D } from './pooling';
import { GlobalAveragePooling2D } from './global-pooling';
import { BatchNormalization } from './batch-normalization';
import { LayerNormalization } from './layer-normalization';
import { Embedding } from './embedding';

export function typeTests(): void {
  // Valid uses compile.
  new Dense(3, { activation: 'relu', kernelInitializer: 'heNormal', kernelRegularizer: 'l2' });
  new Conv2D(32, 3, { activation: 'relu', strides: [2, 2], padding: 'same', dilationRate: 1 });
  new MaxPooling2D(2);
  new MaxPooling2D([2, 3], { strides: 1 });
  new AveragePooling2D({ poolSize: 3, padding: 'same' });
  new GlobalAveragePooling2D({ keepdims: true });
  new BatchNormalization({ momentum: 0.9, movingVarianceInitializer: 'ones' });
  new LayerNormalization({ axis: [1, 2] });
  new Embedding(1000, 64, { embeddingsInitializer: 'uniform', maskZero: true });
  new Activation('softmax');
  new Dropout(0.5, { seed: 1 });
  Input({ shape: [28, 28, 1] });

  // @ts-expect-error: excess (misspelled) option
  new Dense(3, { activaton: 'relu' });
  // @ts-expect-error: misspelled activation name
  new Dense(3, { activation: 'rellu' });
  // @ts-expect-error: misspelled initializer name
  new Dense(3, { kernelInitializer: 'glorot_unifrom' });
  // @ts-expect-error: unknown regularizer name
  new Dense(3, { kernelRegularizer: 'l3' });
  // @ts-expect-error: units is required
  new Dense();
  // @ts-expect-error: misspelled activation on Conv2D
  new Conv2D(8, 3, { activation: 'rellu' });
  // @ts-expect-error: padding is 'valid' | 'same'
  new Conv2D(8, 3, { padding: 'full' });
  // @ts-expect-error: a kernel size is one number or a pair
  new Conv2D(8, [3, 3, 3]);
  // @ts-expect-error: channels_first is not supported
  new Conv2D(8, 3, { dataFormat: 'channels_first' });
  // @ts-expect-error: excess option on a pooling layer
  new MaxPooling2D({ pool_size: 2 });
  // @ts-expect-error: excess option in the positional form
  new MaxPooling2D(2, { poolSize: 2, stride: 1 });
  // @ts-expect-error: BatchNormalization has no 'axes' option
  new BatchNormalization({ axes: [1] });
  // @ts-expect-error: outputDim is required
  new Embedding(10);
  // @ts-expect-error: misspelled activation layer name
  new Activation('sofmax');
  // @ts-expect-error: Flatten takes no units
  new Flatten({ units: 3 });
}

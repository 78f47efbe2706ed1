/**
 * Every built-in layer and model class, registered on demand by the loaders (`loadModel`, `fromArtifacts`,
 * `modelFromJSON`). Classes also register themselves when first instantiated; keeping the full list here, and
 * reached only from the loaders, lets a bundle that never loads a model leave out the layers it does not use.
 */
import { getRegisteredClass, registerClass } from '../engine/registry';
import type { SerializableClass } from '../engine/registry';
import { Dense } from '../layers/dense';
import { Activation, Dropout, Flatten, InputLayer, Reshape } from '../layers/core';
import { Conv2D } from '../layers/conv2d';
import { AveragePooling2D, MaxPooling2D } from '../layers/pooling';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from '../layers/global-pooling';
import { BatchNormalization } from '../layers/batch-normalization';
import { LayerNormalization } from '../layers/layer-normalization';
import { Embedding } from '../layers/embedding';
import { Add, Average, Maximum, Minimum, Multiply, Subtract } from '../layers/merging/merge';
import { Concatenate } from '../layers/merging/concatenate';
import { Dot } from '../layers/merging/dot';
import { Sequential } from '../models/sequential';
import { Functional } from '../models/functional';

const BUILTINS: readonly SerializableClass[] = [
  InputLayer, Dense, Activation, Dropout, Flatten, Reshape, Conv2D, MaxPooling2D, AveragePooling2D,
  GlobalAveragePooling2D, GlobalMaxPooling2D, BatchNormalization, LayerNormalization, Embedding,
  Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot, Sequential, Functional,
];

let registered = false;

/** Registers every built-in class (once); a name a user registered first keeps the user's class. */
export function registerBuiltins(): void {
  if (registered) return;
  registered = true;
  for (const cls of BUILTINS) if (!getRegisteredClass(cls.className)) registerClass(cls);
  // Keras 2 and tfjs call a functional model 'Model'.
  if (!getRegisteredClass('Model')) registerClass(Functional, 'Model');
}

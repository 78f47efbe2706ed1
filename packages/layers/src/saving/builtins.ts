/**
 * Every built-in layer and model class, registered on demand by the loaders (`loadModel`, `fromArtifacts`,
 * `modelFromJSON`). Classes also register themselves when first instantiated; keeping the full list here, and
 * reached only from the loaders, lets a bundle that never loads a model leave out the layers it does not use.
 */
import { Layer } from '../engine/layer';
import { getRegisteredClass, registerClass } from '../engine/registry';
import type { SerializableClass } from '../engine/registry';
import * as layerClasses from '../layers';
import { Sequential } from '../models/sequential';
import { Functional } from '../models/functional';

let registered = false;

/** Registers every built-in class (once); a name a user registered first keeps the user's class. */
export function registerBuiltins(): void {
  if (registered) return;
  registered = true;
  const classes: SerializableClass[] = [Sequential, Functional];
  for (const value of Object.values(layerClasses)) {
    // Every concrete layer class the layers index exports (abstract bases name no class of their own).
    if (typeof value === 'function' && value.prototype instanceof Layer && Object.hasOwn(value, 'className')) classes.push(value as unknown as SerializableClass);
  }
  for (const cls of classes) if (!getRegisteredClass(cls.className)) registerClass(cls);
  // Keras 2 and tfjs call a functional model 'Model'.
  if (!getRegisteredClass('Model')) registerClass(Functional, 'Model');
}

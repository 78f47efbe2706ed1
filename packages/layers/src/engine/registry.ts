/**
 * The one registry of serializable classes, shared by layers and models (Keras' `register_keras_serializable`
 * and its built-in object table): loading a saved model finds each `class_name` here. Built-in classes
 * register themselves where they are defined; a custom layer or model registers the same way:
 *
 *     class MyBlock extends Layer { static override readonly className = 'MyBlock'; ... }
 *     registerClass(MyBlock);
 */

/** What the registry needs of a class: its Keras name and a way to rebuild an instance from a config. */
export interface SerializableClass {
  readonly className: string;
  fromConfig(config: Record<string, unknown>): unknown;
}

// A Map, not an object: names such as 'constructor' or '__proto__' from a file must not find anything.
const classes = new Map<string, SerializableClass>();

/** Registers `cls` under `name` (default: its `className`). Re-registering a name replaces the class. */
export function registerClass<C extends SerializableClass>(cls: C, name: string = cls.className): C {
  if (typeof name !== 'string' || name === '') throw new Error(`registerClass: a class name is required, got ${JSON.stringify(name)}`);
  classes.set(name, cls);
  return cls;
}

/** The class registered under `name`, or undefined. */
export function getRegisteredClass(name: string): SerializableClass | undefined {
  return classes.get(name);
}

/** Every registered name, sorted (for "did you mean" messages). */
export function registeredClassNames(): string[] {
  return [...classes.keys()].sort();
}

// Every exported layer class is registered under its Keras class name (so saved files find it), and a
// layer minikeras lacks fails with a "not available / did you mean" message, in code and in a file.
import { describe, expect, it } from 'vitest';
import { layers } from '../index';
import { Layer } from '../engine/layer';
import { getRegisteredClass } from '../engine/registry';
import { modelFromJSON } from '../saving/load-model';
import { registerBuiltins } from '../saving/builtins';

describe('the layer namespace', () => {
  it('registers every exported layer class under its className (the loaders register them all)', () => {
    registerBuiltins();
    // Concrete classes (an abstract base such as Merge has no className of its own).
    const classes = Object.entries(layers).filter(([, v]) => typeof v === 'function' && v.prototype instanceof Layer && Object.hasOwn(v, 'className')) as [string, typeof Layer][];
    expect(classes.length).toBe(77); // 22 layers before issue 13 (merge layers included), 47 added by it, 8 recurrent (issue 14)
    for (const [exportName, cls] of classes) {
      expect(cls.className, exportName).toBe(exportName);
      expect(getRegisteredClass(cls.className), exportName).toBe(cls);
    }
  });
  it("says a missing layer is not available, with the closest name, instead of 'is not a constructor'", () => {
    const lookup = (name: string) => () => (layers as unknown as Record<string, unknown>)[name];
    expect(lookup('Conv2d')).toThrow("layers.Conv2d is not available in minikeras (did you mean 'Conv2D'?); the layers are ");
    expect(lookup('CuDNNLSTM')).toThrow(/^layers\.CuDNNLSTM is not available in minikeras; the layers are .*Conv1D/);
    expect(layers.Conv1D).toBeTypeOf('function');
  });
  it('says the same when a file names a class minikeras lacks', () => {
    const json = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'SeparableConv3D', config: { name: 'c' } }] } };
    expect(() => modelFromJSON(json)).toThrow(/layer class 'SeparableConv3D' is not available in minikeras \(did you mean 'SeparableConv1D'\?\)/);
  });
});

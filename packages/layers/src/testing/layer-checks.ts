/**
 * Checks shared by the layer-set tests: a save -> load round trip through the tfjs Layers format, and
 * inputs kept away from an activation's kinks for finite-difference gradient checks. Plain `Error`s, no
 * test-runner dependency.
 */
import { Tensor, noGrad } from '@minikeras/tensor';
import type { Layer } from '../engine/layer';
import { Sequential } from '../models/sequential';
import { InputLayer } from '../layers/core';
import { fromArtifacts, toArtifacts } from '../saving/artifacts';
import { serializeLayer } from '../saving/keras-config';

/**
 * Puts `layer` in a Sequential model after an input of `x`'s shape, saves it in tfjs' Layers format (as
 * JSON text, as a file holds it), loads it back and checks that the loaded model's layer has the same class
 * and config and predicts the same on `x`. Returns the loaded layer.
 */
export function expectSavedRoundTrip(layer: Layer, x: Tensor, tolerance = 1e-6): Layer {
  const model = new Sequential([new InputLayer({ shape: x.shape.slice(1) }), layer]);
  const expected = noGrad(() => model.predict(x));
  const saved = toArtifacts(model);
  // The topology and manifest through JSON text, as a model.json file holds them.
  const loaded = fromArtifacts({ ...JSON.parse(JSON.stringify({ ...saved, weightData: undefined })), weightData: saved.weightData }) as Sequential;
  const back = loaded.layers.at(-1)!;
  if (back.className !== layer.className) throw new Error(`round trip: loaded a ${back.className}, saved a ${layer.className}`);
  // Compared as saved (an initializer by name and the same initializer as an object are equal there).
  const a = JSON.stringify(serializeLayer(layer)), b = JSON.stringify(serializeLayer(back));
  if (a !== b) throw new Error(`round trip changed the config of ${layer.label}:\n  saved:  ${a}\n  loaded: ${b}`);
  const got = noGrad(() => loaded.predict(x));
  if (got.shape.join() !== expected.shape.join()) throw new Error(`round trip: output shape [${got.shape}] vs [${expected.shape}]`);
  for (let i = 0; i < got.size; i++) {
    if (!(Math.abs(got.values[i]! - expected.values[i]!) <= tolerance)) {
      throw new Error(`round trip: the loaded ${layer.className} predicts ${got.values[i]} at ${i}, the saved one ${expected.values[i]}`);
    }
  }
  return back;
}

/** `x` with every value within `margin` of a kink moved 2 * margin up, so central differences never straddle it. */
export function awayFrom(x: Tensor, kinks: readonly number[], margin = 0.05): Tensor {
  const v = Float32Array.from(x.values, (value) => (kinks.some((k) => Math.abs(value - k) < margin) ? value + 2 * margin : value));
  return new Tensor(v, x.shape);
}

/**
 * Keras 3's `.keras` and `.weights.h5` files as bytes, for the browser or any storage. Their code (and h5wasm,
 * fflate) is loaded on first use, so a program that never writes Keras files does not carry it.
 */
import type { Model } from '../models/model';
import type { SaveOptions } from './artifacts';

/** The model as the bytes of a `.keras` file (zip of config.json, metadata.json and model.weights.h5). */
export async function toKerasBytes(model: Model, options: SaveOptions = {}): Promise<Uint8Array> {
  return (await import('./keras-io')).toKerasBytes(model, options);
}

/** The model's weights (and optimizer state, when compiled) as the bytes of a Keras 3 `.weights.h5` file. */
export async function toWeightsH5Bytes(model: Model, options: SaveOptions = {}): Promise<Uint8Array> {
  return (await import('./keras-io')).toWeightsH5Bytes(model, options);
}

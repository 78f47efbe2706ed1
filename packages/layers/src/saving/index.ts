/** Saving and loading models in TensorFlow.js' Layers format (Keras config + weights + optimizer state). */
export { saveModel, loadModel, fromArtifacts, modelFromJSON } from './load-model';
export type { IOHandler } from './load-model';
export { toArtifacts, modelToJSON, LAYERS_MODEL_FORMAT } from './artifacts';
export type { ModelArtifacts, WeightSpec, TrainingConfig, SaveOptions, LoadOptions } from './artifacts';
export type { ModelJSON, SaveResult } from './model-json';
export { ModelFormatError, LAYER_CLASSES } from './keras-config';
export type { KerasObjectJson, SequentialTopology, KerasModelJson } from './keras-config';

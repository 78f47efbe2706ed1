/** Saving and loading models in TensorFlow.js' Layers format (Keras config + weights + optimizer state). */
export { saveModel, loadModel, fromArtifacts, modelFromJSON } from './load-model';
export type { IOHandler } from './load-model';
export { toArtifacts, modelToJSON, LAYERS_MODEL_FORMAT } from './artifacts';
export type { ModelArtifacts, WeightSpec, TrainingConfig, SaveOptions, LoadOptions } from './artifacts';
export type { ModelJSON, SaveResult } from './model-json';
export { ModelFormatError, LAYER_CLASSES } from './keras-config';
export type { KerasObjectJson, SequentialTopology, KerasModelJson } from './keras-config';
/** Keras 3's own files: `.keras`, `.weights.h5`, legacy `.h5` (see docs/saving.md). */
export { toKerasBytes, toWeightsH5Bytes } from './keras-bytes';
export type { KerasFileSource, KerasSaveResult } from './keras-io';
export { registerSaveableChildren } from './keras-tree';
export type { SaveableChildren } from './keras-tree';

/**
 * minikeras: `import { Sequential, layers, optimizers, losses } from 'minikeras'`.
 * Tensor creation, ops and autograd sit at the top level (tfjs style); models, layers and the
 * training machinery under Keras' namespaces.
 */
export * from '@minikeras/tensor';
export {
  Sequential, Model, Functional, Input, Layer, SymbolicTensor, Callback, History, clearSession, layers, callbacks, initializers,
  regularizers, registerClass, getRegisteredClass, getMask, setMask,
  loadModel, saveModel, toArtifacts, fromArtifacts, modelToJSON, modelFromJSON, ModelFormatError,
  toKerasBytes, toWeightsH5Bytes, registerSaveableChildren,
} from '@minikeras/layers';
export type {
  LayerArgs, CallContext, ApplyOptions, SymbolicShape, ShapeStructure, Nested, ModelArgs, InputOptions, ModelData,
  CompileArgs, FitArgs, LogKey, OutputLogKey, Logs, ActivationName, InitializerName,
  RegularizerName, OptimizerIdentifier, LossIdentifier, MetricIdentifier, BatchSource, SerializableClass,
  IOHandler, ModelArtifacts, SaveOptions, LoadOptions, SaveResult, SequentialTopology, KerasModelJson,
  KerasFileSource, KerasSaveResult, SaveableChildren,
} from '@minikeras/layers';
export * as optimizers from '@minikeras/optimizers';
export type { OptimizerName } from '@minikeras/optimizers';
export * as losses from '@minikeras/losses';
export { metrics } from '@minikeras/losses';
export type { LossName, MetricName } from '@minikeras/losses';
export * as datasets from '@minikeras/datasets';

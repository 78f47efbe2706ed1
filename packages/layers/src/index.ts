export { Layer, clearSession, uniqueLayerName, formatSymbolicShape } from './engine/layer';
export type { LayerArgs, CallContext, ApplyOptions, SymbolicShape, ShapeStructure, AddWeightOptions } from './engine/layer';
export { SymbolicTensor, Node } from './engine/symbolic-tensor';
export type { SymbolicDtype } from './engine/symbolic-tensor';
export type { Nested } from './engine/structure';
export { registerClass, getRegisteredClass } from './engine/registry';
export type { SerializableClass } from './engine/registry';
export { getMask, setMask } from './engine/mask';
export { Input } from './layers/core';
export type { InputOptions } from './layers/core';
export { Model } from './models/model';
export type { ModelArgs, EvaluateArgs, PredictArgs } from './models/model';
export { Functional } from './models/functional';
export { Sequential } from './models/sequential';
export type { SequentialArgs } from './models/sequential';
export type { CompileArgs, LogKey, OutputLogKey, OptimizerIdentifier, LossIdentifier, MetricIdentifier } from './training/compile';
export type { ModelData } from './training/data';
export type { FitArgs } from './training/fit';
export type { Batch, BatchSource } from './training/data';
export { formatSummary, readableMemorySize } from './models/summary';
export { getActivation, ACTIVATIONS } from './activations';
export type { ActivationName, ActivationIdentifier } from './activations';
export * as initializers from './initializers';
export type { InitializerName, InitializerIdentifier } from './initializers';
export * as regularizers from './regularizers';
export type { RegularizerName, RegularizerIdentifier } from './regularizers';
export * as layers from './layers';
// The layer classes by name too: `import { Dense } from 'minikeras'` lets a bundler leave out the layers a
// program does not use (the `layers` namespace object holds them all).
export * from './layers';
export * as callbacks from './callbacks';
export {
  Callback, CallbackList, History, EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, CSVLogger,
  LambdaCallback, ModelCheckpoint, ProgbarLogger, BackupAndRestore,
} from './callbacks';
export type {
  Logs, TrainingParams, CallbackModel, EarlyStoppingOptions, ReduceLROnPlateauOptions, LearningRateSchedulerFn,
  LearningRateSchedulerOptions, TerminateOnNaNOptions, CSVLoggerOptions, LambdaCallbackOptions, ModelCheckpointOptions,
  ProgbarLoggerOptions, MonitorMode, BackupAndRestoreOptions,
} from './callbacks';
export { Progbar } from './training/progbar';
export type { ProgbarOptions, ProgbarValues } from './training/progbar';
export * from './saving';

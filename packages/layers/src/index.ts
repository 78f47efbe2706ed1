export { Layer, clearSession, uniqueLayerName, formatSymbolicShape } from './layer';
export type { LayerArgs, CallContext, SymbolicShape, AddWeightOptions } from './layer';
export { Sequential } from './models/sequential';
export type { SequentialArgs, EvaluateArgs, PredictArgs } from './models/sequential';
export type { CompileArgs, LogKey, OptimizerIdentifier, LossIdentifier, MetricIdentifier } from './training/compile';
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
export * as callbacks from './callbacks';
export {
  Callback, CallbackList, History, EarlyStopping, ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, CSVLogger,
  LambdaCallback, ModelCheckpoint, ProgbarLogger,
} from './callbacks';
export type {
  Logs, TrainingParams, CallbackModel, EarlyStoppingOptions, ReduceLROnPlateauOptions, LearningRateSchedulerFn,
  LearningRateSchedulerOptions, TerminateOnNaNOptions, CSVLoggerOptions, LambdaCallbackOptions, ModelCheckpointOptions,
  ProgbarLoggerOptions, MonitorMode,
} from './callbacks';
export { Progbar } from './training/progbar';
export type { ProgbarOptions, ProgbarValues } from './training/progbar';
export * from './saving';

export { Callback, CallbackList, History } from './callback';
export type { Logs, TrainingParams, CallbackModel } from './callback';

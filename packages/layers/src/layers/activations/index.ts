export { ReLU, LeakyReLU, PReLU, ELU, Softmax, ThresholdedReLU } from './activations';
export type { ReLUArgs, LeakyReLUArgs, PReLUArgs, ELUArgs, SoftmaxArgs, ThresholdedReLUArgs } from './activations';

export { Dense } from './dense';
export type { DenseArgs } from './dense';
export { Input, InputLayer, Activation, Dropout, Flatten, Reshape } from './core';
export type { InputLayerArgs, DropoutArgs } from './core';

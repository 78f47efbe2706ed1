export { Conv1D, Conv3D } from './base-conv';
export type { ConvArgs, Conv3DArgs, BaseConvArgs, ConvPaddingOption, IntOrTuple } from './base-conv';
export { Conv1DTranspose, Conv2DTranspose, Conv3DTranspose } from './conv-transpose';
export type { ConvTransposeArgs } from './conv-transpose';
export { DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D } from './depthwise';
export type { DepthwiseConvArgs, SeparableConvArgs } from './depthwise';

export { ZeroPadding1D, ZeroPadding2D, ZeroPadding3D, Cropping1D, Cropping2D, Cropping3D, UpSampling1D, UpSampling2D, UpSampling3D, Permute, RepeatVector } from './reshaping';
export type { ZeroPaddingArgs, CroppingArgs, UpSamplingArgs, PaddingAmount } from './reshaping';

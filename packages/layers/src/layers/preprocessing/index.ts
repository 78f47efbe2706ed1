export { Rescaling, Normalization, Resizing, CenterCrop, CategoryEncoding, Masking } from './preprocessing';
export type { RescalingArgs, NormalizationArgs, ResizingArgs, CategoryEncodingArgs, CategoryOutputMode, MaskingArgs, Interpolation } from './preprocessing';
export { TextVectorization } from './text-vectorization';
export type { TextVectorizationArgs, TextVectorizationConfig, TextStandardize, TextSplit, TextOutputMode } from './text-vectorization';

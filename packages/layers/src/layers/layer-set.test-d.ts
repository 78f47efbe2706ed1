/** Type-level tests of the issue-13 layer set, checked by `tsc -p tsconfig.json`: each `@ts-expect-error` line must fail to compile. */
import { ELU, LeakyReLU, PReLU, ReLU, Softmax } from './activations';
import { Conv1D, Conv1DTranspose, Conv2DTranspose, Conv3D, DepthwiseConv2D, SeparableConv2D } from './convolutional';
import { GlobalAveragePooling1D, MaxPooling1D, MaxPooling3D } from './pooling/index';
import { Cropping2D, Permute, RepeatVector, UpSampling2D, ZeroPadding2D } from './reshaping';
import { ActivityRegularization, AlphaDropout, GaussianNoise, SpatialDropout2D } from './regularization';
import { CategoryEncoding, CenterCrop, Masking, Normalization, Rescaling, Resizing } from './preprocessing';

export function layerSetTypeTests(): void {
  // Valid uses compile.
  new ReLU({ maxValue: 6 });
  new LeakyReLU({ negativeSlope: 0.1 });
  new PReLU({ sharedAxes: [1, 2], alphaInitializer: 'zeros' });
  new ELU({ alpha: 0.5 });
  new Softmax({ axis: [1, 2] });
  new Conv1D(16, 3, { padding: 'causal', dilationRate: 2, groups: 2 });
  new Conv3D(8, [3, 3, 3], { strides: 2, padding: 'same' });
  new Conv2DTranspose(16, 3, { strides: 2, padding: 'same', outputPadding: 1 });
  new Conv1DTranspose(4, 3);
  new DepthwiseConv2D(3, { depthMultiplier: 2, activation: 'relu6' });
  new SeparableConv2D(32, 3, { depthwiseInitializer: 'he_normal', pointwiseRegularizer: 'l2' });
  new MaxPooling1D(3, { strides: 2 });
  new MaxPooling3D({ poolSize: [2, 2, 1] });
  new GlobalAveragePooling1D({ keepdims: true });
  new ZeroPadding2D([[1, 0], [0, 1]]);
  new Cropping2D({ cropping: 2 });
  new UpSampling2D(2, { interpolation: 'bilinear' });
  new Permute([2, 1]);
  new RepeatVector(3);
  new SpatialDropout2D(0.2, { seed: 1 });
  new GaussianNoise(0.1);
  new AlphaDropout(0.1, { noiseShape: [null, 1] });
  new ActivityRegularization({ l1: 0.01 });
  new Rescaling(1 / 255, { offset: 0 });
  new Normalization({ axis: null, mean: [1, 2], variance: [3, 4] });
  new Resizing(224, 224, { interpolation: 'nearest', cropToAspectRatio: true });
  new CenterCrop(100, 100);
  new CategoryEncoding({ numTokens: 10, outputMode: 'count' });
  new Masking({ maskValue: -1 });

  // @ts-expect-error: misspelled option
  new ReLU({ max_value: 6 });
  // @ts-expect-error: 'causal' padding is Conv1D's only
  new Conv3D(8, 3, { padding: 'causal' });
  // @ts-expect-error: transposed convolutions have no groups
  new Conv2DTranspose(8, 3, { groups: 2 });
  // @ts-expect-error: DepthwiseConv2D takes no filters
  new DepthwiseConv2D(8, 3);
  // @ts-expect-error: misspelled activation
  new SeparableConv2D(8, 3, { activation: 'rellu' });
  // @ts-expect-error: bicubic is not supported
  new UpSampling2D(2, { interpolation: 'bicubic' });
  // @ts-expect-error: RepeatVector needs n
  new RepeatVector();
  // @ts-expect-error: numTokens is required
  new CategoryEncoding({ outputMode: 'count' });
  // @ts-expect-error: unknown output mode
  new CategoryEncoding({ numTokens: 3, outputMode: 'tf_idf' });
  // @ts-expect-error: Resizing needs a width
  new Resizing(224);
  // @ts-expect-error: constraints are not supported
  new Conv1D(8, 3, { kernelConstraint: 'max_norm' });
}

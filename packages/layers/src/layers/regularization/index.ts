export { SpatialDropout1D, SpatialDropout2D, SpatialDropout3D, GaussianNoise, GaussianDropout, AlphaDropout, ActivityRegularization } from './regularization';
export type { RandomLayerArgs, SpatialDropoutArgs, AlphaDropoutArgs, ActivityRegularizationArgs } from './regularization';

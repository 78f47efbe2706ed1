export { MaxPooling1D, AveragePooling1D, MaxPooling3D, AveragePooling3D, GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling3D, GlobalMaxPooling3D } from './pooling';
export type { PoolingArgs, GlobalPoolingArgs } from './pooling';

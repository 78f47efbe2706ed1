export * from './creation';
export * from './elementwise';
export * from './reduction';
export * from './matmul';
export * from './shape';
export * from './conv';
export * from './dropout';
export * from './fused';

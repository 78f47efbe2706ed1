import { installOps } from '../tensor';
import * as creation from './creation';
import * as elementwise from './elementwise';
import * as reduction from './reduction';
import * as matmul from './matmul';
import * as shape from './shape';
import * as conv from './conv';
import * as dropout from './dropout';
import * as fused from './fused';

export * from './creation';
export * from './elementwise';
export * from './reduction';
export * from './matmul';
export * from './shape';
export * from './conv';
export * from './dropout';
export * from './fused';

// The method forms of Tensor (`x.add(y)`) call these; tensor.ts cannot import them (that would be a cycle).
installOps({ ...creation, ...elementwise, ...reduction, ...matmul, ...shape, ...conv, ...dropout, ...fused });

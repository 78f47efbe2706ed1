import {
  abs, add, argMax, argMin, broadcastTo, cast, clipByValue, div, elu, equal,
  exp, expandDims, flatten, gather, greater, greaterEqual, leakyRelu, less, lessEqual, log,
  log1p, logSoftmax, logSumExp, matmul, max, maximum, mean, min, minimum, mul,
  neg, notEqual, pad, pow, prod, relu, relu6, reshape, selu, sigmoid,
  sign, slice, softmax, softplus, sqrt, square, squaredDifference, squeeze, sub, sum,
  tanh, tile, transpose,
} from './ops';
import { installOps } from './tensor';

export { Tensor, Variable } from './tensor';
export type { DType, DataArray, NestedArray, NestedNumbers, TensorLike, VariableOptions } from './tensor';
export * from './ops';
export { grad, grads, valueAndGrad, valueAndGrads, variableGrads, noGrad, isRecording, backprop } from './autograd';
export type { GradNode } from './autograd';
export { Random, setSeed, globalRng, rngFor, derivedRng } from './random';
export { kernels, setBackend, getBackendName, cpuBackend, enableWasm, useJsBackend, wasmSimdSupported, wasmRelaxedSimdSupported, initWasmBackend, createWasmBackend } from './kernels';
export type { Backend, NumArray, UnaryOp, BinaryOp, ReduceOp, WasmBackend, WasmBackendOptions, KernelVariant } from './kernels';
export type { Shape } from './shape';
export { sizeOf, stridesOf, shapesEqual, formatShape, broadcastShapes, normalizeAxis, normalizeAxes } from './shape';

// The method forms of Tensor (`x.add(y)`) call the ops, which tensor.ts cannot import (the ops import it). They
// are handed over here, in the entry module, which a bundler never drops (esbuild drops the modules of a
// side-effect-free package whose own exports go unused, as ops/index.ts's re-exports do). Only the ops the
// methods call (`MethodOps`): handing over the whole namespace would keep every op family in every bundle.
installOps({
  abs, add, argMax, argMin, broadcastTo, cast, clipByValue, div, elu, equal,
  exp, expandDims, flatten, gather, greater, greaterEqual, leakyRelu, less, lessEqual, log,
  log1p, logSoftmax, logSumExp, matmul, max, maximum, mean, min, minimum, mul,
  neg, notEqual, pad, pow, prod, relu, relu6, reshape, selu, sigmoid,
  sign, slice, softmax, softplus, sqrt, square, squaredDifference, squeeze, sub, sum,
  tanh, tile, transpose,
});

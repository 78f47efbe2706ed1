/**
 * Type-level tests, checked by `tsc -p tsconfig.json` (the `typecheck` script); never executed.
 * Each `@ts-expect-error` line must fail to compile, and everything else must compile.
 */
import { expectTypeOf } from 'vitest';
import * as mk from './index';
import type { Tensor, Variable } from './index';

declare const a: Tensor;
declare const b: Tensor;
declare const v: Variable;

// --- What compiles, with the types a user relies on.
expectTypeOf(mk.matmul(a, b)).toEqualTypeOf<Tensor>();
expectTypeOf(mk.matmul(a, b, true, false)).toEqualTypeOf<Tensor>();
expectTypeOf(mk.add(a, 1)).toEqualTypeOf<Tensor>();
expectTypeOf(mk.add([[1, 2]], new Float32Array(2))).toEqualTypeOf<Tensor>();
expectTypeOf(mk.sum(a, [0, 1], true)).toEqualTypeOf<Tensor>();
expectTypeOf(mk.split(a, 2)).toEqualTypeOf<Tensor[]>();
expectTypeOf(a.shape).toEqualTypeOf<readonly number[]>();
expectTypeOf(a.dtype).toEqualTypeOf<'float32' | 'int32'>();
expectTypeOf(a.dataSync()).toEqualTypeOf<Float32Array | Int32Array>();
expectTypeOf(a.item()).toEqualTypeOf<number>();
expectTypeOf(a.arraySync()).toEqualTypeOf<mk.NestedNumbers>();
expectTypeOf(v).toMatchTypeOf<Tensor>(); // a Variable is usable wherever a Tensor is
expectTypeOf(mk.variable(a, { name: 'w', trainable: false })).toEqualTypeOf<Variable>();
expectTypeOf(mk.grads((x: Tensor, y: Tensor) => x.mul(y))(a, [1, 2])).toEqualTypeOf<Tensor[]>();
expectTypeOf(mk.grad((x) => x.square())).toEqualTypeOf<(x: mk.TensorLike) => Tensor>();
expectTypeOf(mk.valueAndGrads((x: Tensor) => x)(a)).toEqualTypeOf<{ value: Tensor; grads: Tensor[] }>();
expectTypeOf(mk.variableGrads(() => a.sum())).toEqualTypeOf<{ value: Tensor; grads: Map<Variable, Tensor> }>();
expectTypeOf(mk.noGrad(() => 3)).toEqualTypeOf<number>();
expectTypeOf(mk.randomNormal([2], 0, 1, { seed: 1 })).toEqualTypeOf<Tensor>();
expectTypeOf(mk.randomUniform([2], 0, 1, 'int32', 5)).toEqualTypeOf<Tensor>();
v.assign(a);
v.trainable = false;

// --- What must not compile.
// @ts-expect-error matmul needs two operands
mk.matmul(a);
// @ts-expect-error an axis is a number or a list of numbers, not a string
mk.sum(a, 'rows');
// @ts-expect-error keepDims is a boolean
mk.mean(a, 0, 'yes');
// @ts-expect-error transposeA is a boolean
mk.matmul(a, b, 'T');
// @ts-expect-error excess property: a typo in the variable options
mk.variable(a, { nmae: 'w' });
// @ts-expect-error trainable is a boolean
mk.variable(a, { trainable: 'no' });
// @ts-expect-error shape is readonly
a.shape[0] = 1;
// @ts-expect-error rank is a getter without a setter
a.rank = 3;
// @ts-expect-error the variable's name is readonly
v.name = 'other';
// @ts-expect-error only 'float32' and 'int32' exist
mk.zeros([2], 'float64');
// @ts-expect-error cast takes a dtype
a.cast('bool');
// @ts-expect-error a string is not tensor data
mk.tensor('1, 2, 3');
// @ts-expect-error an array of strings is not tensor data
mk.tensor(['1', '2']);
// @ts-expect-error the shape is a list of numbers
mk.reshape(a, '2x3');
// @ts-expect-error paddings are [before, after] pairs
mk.pad(a, [1, 2]);
// @ts-expect-error grad's function takes a tensor and returns one
mk.grad((x: Tensor) => x.item());
// @ts-expect-error variableGrads' function takes no arguments
mk.variableGrads((x: Tensor) => x);
// @ts-expect-error variableGrads' list holds Variables, not plain tensors
mk.variableGrads(() => a.sum(), [a]);
// @ts-expect-error the seed option is a number
mk.randomNormal([2], 0, 1, { seed: 'abc' });
// @ts-expect-error Variable.assign takes a Tensor
v.assign(5);
// @ts-expect-error gelu's second argument is the `approximate` boolean
mk.gelu(a, 'tanh');
// @ts-expect-error dropout's noiseShape is a list of numbers
mk.dropout(a, 0.5, 3);

// --- The convolutions, pooling and resizing of Keras' layer set.
expectTypeOf(mk.conv2d(a, b, 1, 'same', 1, 2)).toEqualTypeOf<Tensor>();
expectTypeOf(mk.conv2d(a, b, [2, 1], 'valid', 'NHWC', [1, 1], 4)).toEqualTypeOf<Tensor>();
expectTypeOf(mk.conv1d(a, b, 1, 'causal', 2, 1)).toEqualTypeOf<Tensor>();
expectTypeOf(mk.conv3d(a, b, [1, 2, 2], 'same')).toEqualTypeOf<Tensor>();
expectTypeOf(mk.conv2dTranspose(a, b, 2, 'same', [1, 0], 1)).toEqualTypeOf<Tensor>();
expectTypeOf(mk.conv1dTranspose(a, b, 2, 'valid', null)).toEqualTypeOf<Tensor>();
expectTypeOf(mk.depthwiseConv2d(a, b, 1, 'same', 2)).toEqualTypeOf<Tensor>();
expectTypeOf(mk.maxPool3d(a, [2, 2, 2])).toEqualTypeOf<Tensor>();
expectTypeOf(mk.resizeBilinear(a, [4, 4], { halfPixelCenters: false })).toEqualTypeOf<Tensor>();
expectTypeOf(mk.relu(a, { maxValue: 6, negativeSlope: 0.1, threshold: 0 })).toEqualTypeOf<Tensor>();
// @ts-expect-error transposed convolutions take 'valid' or 'same' only
mk.conv2dTranspose(a, b, 2, 'causal');
// @ts-expect-error conv3d's strides are a number or three of them
mk.conv3d(a, b, [1, 2]);
// @ts-expect-error pooling padding is 'valid' or 'same'
mk.maxPool1d(a, 2, 2, 1);
// @ts-expect-error resize options are an object (tfjs' positional alignCorners boolean is not accepted)
mk.resizeBilinear(a, [4, 4], false);
// @ts-expect-error relu's options are an object
mk.relu(a, 6);

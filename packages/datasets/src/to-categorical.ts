import { Tensor } from '@minikeras/tensor';

/**
 * One-hot encodes integer class labels, like Keras' `utils.to_categorical`: labels of shape
 * [...s] become a float32 tensor of shape [...s, numClasses]. As in Keras, a trailing dimension of
 * size 1 is dropped first ([n, 1] → [n, numClasses]). `numClasses` defaults to max(label) + 1.
 *
 * @example
 * toCategorical(new Tensor(Int32Array.of(0, 2), [2], 'int32'), 3); // [[1, 0, 0], [0, 0, 1]]
 */
export function toCategorical(y: Tensor | ArrayLike<number>, numClasses?: number): Tensor {
  const values: ArrayLike<number> = y instanceof Tensor ? y.values : y;
  let shape: number[] = y instanceof Tensor ? [...y.shape] : [values.length];
  if (shape.length > 1 && shape[shape.length - 1] === 1) shape = shape.slice(0, -1);
  let max = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0) throw new Error(`toCategorical: label ${v} at index ${i} is not a non-negative integer`);
    if (v > max) max = v;
  }
  const classes = numClasses ?? max + 1;
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`toCategorical: numClasses must be a positive integer, got ${classes}`);
  if (max >= classes) throw new Error(`toCategorical: label ${max} does not fit numClasses ${classes} (labels must be 0..${classes - 1})`);
  const out = new Float32Array(values.length * classes);
  for (let i = 0; i < values.length; i++) out[i * classes + values[i]!] = 1;
  return new Tensor(out, [...shape, classes], 'float32');
}

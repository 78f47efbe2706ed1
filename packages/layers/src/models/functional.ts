/**
 * `Functional` (Keras 3's keras/src/models/functional.py): a model defined by a graph of layer calls on
 * symbolic tensors. `new Model({ inputs, outputs })` returns one.
 *
 * ```ts
 * const inputs = Input({ shape: [32] });
 * const x = new layers.Dense(64, { activation: 'relu' }).apply(inputs);
 * const outputs = new layers.Dense(10).apply(x);
 * const model = new Model({ inputs, outputs });
 * ```
 */
export { Functional } from './model';

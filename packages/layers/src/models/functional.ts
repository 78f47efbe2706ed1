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
import { Model, setFunctionalClass } from './model';
import type { ModelArgs } from './model';
import { functionalConfig, functionalFromConfig } from '../saving/functional-config';
import type { FunctionalConfig } from '../saving/functional-config';

export class Functional<K extends string = string> extends Model<K> {
  static override readonly className: string = 'Functional';

  constructor(args: ModelArgs) {
    super(args);
    if (!this.graph) throw new Error(`${this.label}: a Functional model needs { inputs, outputs }`);
  }

  /** Keras' functional config: the layers with their inbound nodes, and the input and output layers. */
  override getConfig(): Record<string, unknown> {
    return functionalConfig(this, this.graph!) as unknown as Record<string, unknown>;
  }

  /** Rebuilds the graph from `getConfig()` output (either Keras nesting of `inbound_nodes`). */
  static override fromConfig<T>(this: unknown, config: Record<string, unknown>): T {
    return functionalFromConfig(config as unknown as FunctionalConfig, (args) => new Functional(args)) as unknown as T;
  }
}

setFunctionalClass(Functional);

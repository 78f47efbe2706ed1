import { RNN } from './rnn-base';
import type { RNNArgs } from './rnn-base';
import { GRUCell } from './cells';
import type { GRUCellArgs } from './cells';
import { cellConfig, splitRecurrentArgs } from './layer-args';

/** Options of `GRU`: the cell's and the RNN layer's. */
export interface GRUArgs extends GRUCellArgs, RNNArgs {
  /** Only null (activity regularization is not supported on recurrent layers). */
  activityRegularizer?: null;
}

/**
 * Gated recurrent unit (Keras 3 `keras.layers.GRU`): gates z, r, h, the whole sequence as one fused op.
 * `resetAfter` defaults to true as in Keras 3. tfjs-layers has only `resetAfter: false`: its files load so,
 * and a `resetAfter: true` GRU is saved as it is (`reset_after: true`), which Keras loads and tfjs refuses
 * ("GRUCell does not support reset_after parameter set to true"); use `resetAfter: false` for a model tfjs
 * must load. Holds its `GRUCell` as `cell`.
 *
 * ```ts
 * new GRU(32, { returnSequences: true })
 * ```
 */
export class GRU extends RNN {
  static override readonly className: string = 'GRU';
  static override readonly positionalArgs: readonly string[] = ['units'];
  declare readonly cell: GRUCell;
  constructor(units: number, args: GRUArgs = {}) {
    const { cellArgs, rnnArgs } = splitRecurrentArgs('GRU', args as Record<string, unknown>);
    super(new GRUCell(units, cellArgs), rnnArgs);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...cellConfig(this.cell.getConfig()), activityRegularizer: null, ...this.rnnConfig() };
  }
}

import { RNN } from './rnn-base';
import type { RNNArgs } from './rnn-base';
import { LSTMCell } from './cells';
import type { LSTMCellArgs } from './cells';
import { cellConfig, splitRecurrentArgs } from './layer-args';

/** Options of `LSTM`: the cell's and the RNN layer's. */
export interface LSTMArgs extends LSTMCellArgs, RNNArgs {
  /** Only null (activity regularization is not supported on recurrent layers). */
  activityRegularizer?: null;
}

/**
 * Long short-term memory (Keras 3 `keras.layers.LSTM`): gates i, f, c, o, states [h, c], the whole sequence
 * as one fused op (its backward included). Holds its `LSTMCell` as `cell`.
 *
 * ```ts
 * new LSTM(64, { returnSequences: true, dropout: 0.2 })
 * lstm.apply([x, h0, c0]) // initial states as extra inputs
 * ```
 */
export class LSTM extends RNN {
  static override readonly className: string = 'LSTM';
  static override readonly positionalArgs: readonly string[] = ['units'];
  declare readonly cell: LSTMCell;
  constructor(units: number, args: LSTMArgs = {}) {
    const { cellArgs, rnnArgs } = splitRecurrentArgs('LSTM', args as Record<string, unknown>);
    super(new LSTMCell(units, cellArgs), rnnArgs);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...cellConfig(this.cell.getConfig()), activityRegularizer: null, ...this.rnnConfig() };
  }
}

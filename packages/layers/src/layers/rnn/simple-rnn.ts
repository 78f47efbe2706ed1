import { RNN } from './rnn-base';
import type { RNNArgs } from './rnn-base';
import { SimpleRNNCell } from './cells';
import type { RecurrentCellArgs } from './cells';
import { cellConfig, splitRecurrentArgs } from './layer-args';

/** Options of `SimpleRNN`: the cell's and the RNN layer's. */
export interface SimpleRNNArgs extends RecurrentCellArgs, RNNArgs {
  /** Only null (activity regularization is not supported on recurrent layers). */
  activityRegularizer?: null;
}

/**
 * A fully-connected RNN (Keras 3 `keras.layers.SimpleRNN`): h_t = activation(x_t · kernel + h_{t-1} ·
 * recurrent_kernel + bias), the whole sequence as one fused op. Holds its `SimpleRNNCell` as `cell`.
 *
 * ```ts
 * new SimpleRNN(16, { returnSequences: true })
 * ```
 */
export class SimpleRNN extends RNN {
  static override readonly className: string = 'SimpleRNN';
  static override readonly positionalArgs: readonly string[] = ['units'];
  declare readonly cell: SimpleRNNCell;
  constructor(units: number, args: SimpleRNNArgs = {}) {
    const { cellArgs, rnnArgs } = splitRecurrentArgs('SimpleRNN', args as Record<string, unknown>);
    super(new SimpleRNNCell(units, cellArgs), rnnArgs);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...cellConfig(this.cell.getConfig()), activityRegularizer: null, ...this.rnnConfig() };
  }
}

/** How SimpleRNN, LSTM and GRU split their options between the RNN layer and its cell. */
import { snakeCase, uniqueLayerName } from '../../engine/layer';
import { RNN_KEYS } from './rnn-base';
import type { RNNArgs } from './rnn-base';

/**
 * The layer's name (the given one, or a new 'lstm', 'lstm_1', ...) and the options of its cell and of the RNN
 * base. The cell takes the layer's name, so its weights are '<layer>/kernel', ... as tfjs names them.
 */
export function splitRecurrentArgs(className: string, args: Record<string, unknown>): { name: string; cellArgs: Record<string, unknown>; rnnArgs: RNNArgs } {
  const name = typeof args.name === 'string' ? args.name : uniqueLayerName(snakeCase(className));
  const cellArgs: Record<string, unknown> = { name };
  const rnnArgs: Record<string, unknown> = { name };
  for (const [k, v] of Object.entries(args)) {
    if (k === 'name') continue;
    if (RNN_KEYS.includes(k) || ['inputShape', 'batchInputShape', 'batchSize', 'inputDim'].includes(k)) rnnArgs[k] = v;
    else if (k === 'trainable' || k === 'dtype') { rnnArgs[k] = v; cellArgs[k] = v; }
    // activityRegularizer is checked (null only) by the cell with the other inactive keys.
    else cellArgs[k] = v;
  }
  return { name, cellArgs, rnnArgs: rnnArgs as RNNArgs };
}

/** The config keys a recurrent layer copies from its cell (everything but the base layer's). */
export function cellConfig(config: Record<string, unknown>): Record<string, unknown> {
  const { name: _n, trainable: _t, batchInputShape: _b, dtype: _d, ...rest } = config;
  return rest;
}

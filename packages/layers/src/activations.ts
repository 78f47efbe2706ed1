/** Activation functions by Keras name. */
import * as ops from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';

export const ACTIVATIONS = {
  linear: (x: Tensor) => x,
  relu: ops.relu,
  relu6: ops.relu6,
  leaky_relu: (x: Tensor) => ops.leakyRelu(x, 0.2),
  elu: (x: Tensor) => ops.elu(x, 1),
  selu: ops.selu,
  gelu: (x: Tensor) => ops.gelu(x, false),
  sigmoid: ops.sigmoid,
  hard_sigmoid: ops.hardSigmoid,
  tanh: ops.tanh,
  softmax: (x: Tensor) => ops.softmax(x, -1),
  log_softmax: (x: Tensor) => ops.logSoftmax(x, -1),
  softplus: ops.softplus,
  softsign: ops.softsign,
  swish: ops.swish,
  silu: ops.swish,
  exponential: ops.exp,
} as const satisfies Record<string, (x: Tensor) => Tensor>;

/** Keras activation names (plus tfjs' camelCase spellings of the multi-word ones). */
export type ActivationName = keyof typeof ACTIVATIONS | 'leakyRelu' | 'hardSigmoid' | 'logSoftmax';
export type ActivationIdentifier = ActivationName | ((x: Tensor) => Tensor);

const CAMEL_ALIASES: Record<string, keyof typeof ACTIVATIONS> = {
  leakyRelu: 'leaky_relu',
  hardSigmoid: 'hard_sigmoid',
  logSoftmax: 'log_softmax',
};

export function getActivation(identifier: ActivationIdentifier | null | undefined, owner = 'activation'): (x: Tensor) => Tensor {
  if (identifier == null) return ACTIVATIONS.linear;
  if (typeof identifier === 'function') return identifier;
  const key = ((Object.hasOwn(CAMEL_ALIASES, identifier) ? CAMEL_ALIASES[identifier] : undefined) ?? identifier) as keyof typeof ACTIVATIONS;
  const fn = Object.hasOwn(ACTIVATIONS, key) ? ACTIVATIONS[key] : undefined;
  if (!fn) {
    throw new Error(`${owner}: unknown activation '${identifier}'${didYouMean(identifier, Object.keys(ACTIVATIONS))}; valid activations are ${Object.keys(ACTIVATIONS).join(', ')}`);
  }
  return fn;
}

/** The canonical Keras name of an activation, for configs. */
export function activationName(identifier: ActivationIdentifier | null | undefined): string {
  if (identifier == null) return 'linear';
  if (typeof identifier === 'function') {
    const entry = Object.entries(ACTIVATIONS).find(([, f]) => f === identifier);
    return entry ? entry[0] : identifier.name || 'custom';
  }
  return CAMEL_ALIASES[identifier] ?? identifier;
}

/** ", did you mean 'x'?" when a close name exists (edit distance <= 2), else "". */
export function didYouMean(name: string, candidates: readonly string[]): string {
  let best = '';
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) { bestDistance = d; best = c; }
  }
  return best ? ` (did you mean '${best}'?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

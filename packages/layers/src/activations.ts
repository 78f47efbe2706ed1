/** Activation functions by Keras name. */
import * as ops from '@minikeras/tensor';
import type { Tensor } from '@minikeras/tensor';

/** The activation functions by Keras 3 name (`keras.activations.relu`, ...), as `(x) => y` on tensors. */
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

/**
 * tfjs' and Keras 2's hard sigmoid, clip(0.2x + 0.5, 0, 1): what `hard_sigmoid` means in files those
 * libraries wrote (Keras 3 changed it to relu6(x + 3) / 6, the `hard_sigmoid` entry above). The loader
 * gives layers of such files this function; it is saved under tfjs' class name 'hardSigmoid', which tfjs reads
 * so and minikeras reads back as this form (Keras, which never writes that name, refuses it rather than
 * computing its own hard sigmoid instead).
 */
export const legacyHardSigmoid = (x: Tensor): Tensor => ops.clipByValue(ops.add(ops.mul(x, 0.2), 0.5), 0, 1);

/**
 * The activation a saved name stands for, as the library that wrote the file meant it: `legacy` is true for
 * files written by tfjs or Keras 1/2, where 'hard_sigmoid' is the 0.2x + 0.5 form.
 */
export function activationForWriter(name: string, legacy: boolean): ActivationIdentifier {
  // 'hardSigmoid' (tfjs' class name) is how minikeras saves the tfjs form: tfjs reads it so, Keras never writes it.
  if (name === 'hardSigmoid' || (legacy && name === 'hard_sigmoid')) return legacyHardSigmoid;
  return name as ActivationIdentifier;
}

/** Keras activation names (plus tfjs' camelCase spellings of the multi-word ones). */
export type ActivationName = keyof typeof ACTIVATIONS | 'leakyRelu' | 'hardSigmoid' | 'logSoftmax';
/** An activation given by name or as a function of a tensor (what Keras 3's `activation=` arguments accept). */
export type ActivationIdentifier = ActivationName | ((x: Tensor) => Tensor);

const CAMEL_ALIASES: Record<string, keyof typeof ACTIVATIONS> = {
  leakyRelu: 'leaky_relu',
  hardSigmoid: 'hard_sigmoid',
  logSoftmax: 'log_softmax',
};

/**
 * Resolves an activation name or function to the function (Keras 3 `keras.activations.get`); `null`/`undefined`
 * is `linear`. An unknown name throws, naming `owner` and the valid names.
 */
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
    if (identifier === legacyHardSigmoid) return 'hardSigmoid';
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

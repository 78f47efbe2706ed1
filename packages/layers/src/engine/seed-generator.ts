/**
 * Per-layer randomness that resumes (Keras 3's `keras.random.SeedGenerator`). A layer that draws (Dropout, the
 * noise layers, recurrent dropout) owns a generator whose state — its seed and how many draws it has made — is
 * a small int32 variable, saved and restored with the model. Each call draws from a stream keyed by
 * (seed, counter), so a model reloaded mid-training draws the masks an uninterrupted run would, and one model's
 * training never shifts another's.
 *
 * An unseeded generator takes its seed from the global seeded stream when it is made (as Keras draws from
 * Python's `random` after `set_random_seed`), except while a model is being loaded: then nothing is drawn and
 * the state comes from the file.
 */
import { Tensor, Variable, globalRng, derivedRng } from '@minikeras/tensor';

let loading = 0;

/**
 * Runs `fn` (a model being rebuilt from a file) without consuming randomness: initializers are skipped (the
 * weights are assigned next) and seed generators take a placeholder seed, replaced from the file.
 */
export function withoutRandomInit<T>(fn: () => T): T {
  loading++;
  try {
    return fn();
  } finally {
    loading--;
  }
}

/**
 * A loader's check of each weight a model being rebuilt is about to create (its variable name, shape and the
 * owning layer's label): throwing stops the load before the weight is allocated.
 */
export type LoadingWeightCheck = (name: string, shape: readonly number[], owner: string) => void;

const weightChecks: LoadingWeightCheck[] = [];

/** Runs `fn` (a model being rebuilt from a file) with every weight its layers create checked first by `check`. */
export function withWeightCheck<T>(check: LoadingWeightCheck, fn: () => T): T {
  weightChecks.push(check);
  try {
    return fn();
  } finally {
    weightChecks.pop();
  }
}

/** Called by `Layer.addWeight` before it allocates: the innermost `withWeightCheck` check, if any. */
export function checkNewWeight(name: string, shape: readonly number[], owner: string): void {
  weightChecks[weightChecks.length - 1]?.(name, shape, owner);
}

/** True while `withoutRandomInit` runs: `Layer.addWeight` then makes zeros instead of drawing. */
export function randomInitSuspended(): boolean {
  return loading > 0;
}

const COUNTER_RANGE = 2 ** 22;

export class SeedGenerator {
  /** [seed, draws so far] as int32; not a weight (Keras leaves it out of `layer.weights`). */
  readonly state: Variable;

  constructor(seed: number | null | undefined, name: string) {
    if (seed != null && (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 31)) {
      throw new Error(`${name}: seed must be an integer in [0, 2^31), got ${JSON.stringify(seed)}`);
    }
    // While loading, a deterministic placeholder keyed by the layer name (no draw); the file's state replaces it.
    const initial = seed ?? (loading > 0 ? derivedRng('seed-generator', name).int(2 ** 31) : globalRng().int(2 ** 31));
    this.state = new Variable(new Tensor(Int32Array.from([initial, 0]), [2], 'int32'), { name: `${name}/seed_generator_state`, trainable: false });
  }

  get seed(): number { return this.state.values[0]!; }
  get counter(): number { return this.state.values[1]!; }

  /** The seed for the next draw; advances the counter. */
  next(): number {
    const values = this.state.values;
    const counter = values[1]!;
    values[1] = counter + 1;
    return values[0]! * COUNTER_RANGE + (counter % COUNTER_RANGE);
  }
}

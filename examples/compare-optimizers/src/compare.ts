/**
 * Trains the same model, from the same initial weights, on the same batches, once per optimizer,
 * and records per-epoch curves. Every optimizer runs with Keras' defaults unless the entry says otherwise.
 */
import { Sequential, layers, optimizers, setSeed, reshape, datasets, slice } from 'minikeras';
import type { Tensor } from 'minikeras';

export interface Contender {
  label: string;
  make: () => optimizers.Optimizer;
}

export const CONTENDERS: Contender[] = [
  { label: 'sgd', make: () => new optimizers.SGD() },
  { label: 'sgd+momentum', make: () => new optimizers.SGD({ momentum: 0.9 }) },
  { label: 'sgd+nesterov', make: () => new optimizers.SGD({ momentum: 0.9, nesterov: true }) },
  { label: 'adam', make: () => new optimizers.Adam() },
  { label: 'adamw', make: () => new optimizers.AdamW() },
  { label: 'rmsprop', make: () => new optimizers.RMSprop() },
  { label: 'adagrad', make: () => new optimizers.Adagrad() },
  { label: 'adadelta', make: () => new optimizers.Adadelta() },
  { label: 'adamax', make: () => new optimizers.Adamax() },
  { label: 'nadam', make: () => new optimizers.Nadam() },
  { label: 'lion', make: () => new optimizers.Lion() },
];

export interface RunResult {
  label: string;
  config: Record<string, unknown>;
  loss: number[];
  accuracy: number[];
  valLoss: number[];
  valAccuracy: number[];
  seconds: number;
  /** First epoch (1-based) whose validation accuracy reached the target, or null. */
  epochsToTarget: number | null;
}

export interface ComparisonOptions {
  epochs: number;
  batchSize: number;
  /** How many of the bundled training digits to use (all 8,000 by default). */
  samples: number;
  targetAccuracy: number;
  seed: number;
  only?: readonly string[];
  onResult?: (r: RunResult) => void;
}

export const DEFAULTS: ComparisonOptions = { epochs: 5, batchSize: 32, samples: 8000, targetAccuracy: 0.9, seed: 7 };

function buildModel(): Sequential {
  return new Sequential([
    layers.Input({ shape: [784] }),
    new layers.Dense(64, { activation: 'relu' }),
    new layers.Dense(10, { activation: 'softmax' }),
  ]);
}

export async function compareOptimizers(options: Partial<ComparisonOptions> = {}): Promise<RunResult[]> {
  const o: ComparisonOptions = { ...DEFAULTS, ...options };
  const data = await datasets.mnist.loadData({ normalize: true });
  const n = Math.min(o.samples, data.train.x.shape[0]!);
  const x: Tensor = reshape(slice(data.train.x, [0, 0, 0], [n, 28, 28]), [n, 784]);
  const y: Tensor = slice(data.train.y, [0], [n]);
  const xVal = reshape(data.test.x, [-1, 784]);
  const yVal = data.test.y;

  setSeed(o.seed);
  const initial = buildModel().getWeights();
  const results: RunResult[] = [];
  for (const c of CONTENDERS.filter((c) => !o.only || o.only.includes(c.label))) {
    // Same seed before every run: same initial weights (set below) and the same shuffled batches.
    setSeed(o.seed);
    const model = buildModel();
    model.setWeights(initial);
    const optimizer = c.make();
    model.compile({ optimizer, loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const start = performance.now();
    const h = await model.fit(x, y, { epochs: o.epochs, batchSize: o.batchSize, validationData: [xVal, yVal], verbose: 0 });
    const seconds = (performance.now() - start) / 1000;
    const valAccuracy = h.history.val_accuracy!;
    const hit = valAccuracy.findIndex((a) => a >= o.targetAccuracy);
    const r: RunResult = {
      label: c.label,
      config: optimizer.getConfig() as Record<string, unknown>,
      loss: h.history.loss!,
      accuracy: h.history.accuracy!,
      valLoss: h.history.val_loss!,
      valAccuracy,
      seconds,
      epochsToTarget: hit === -1 ? null : hit + 1,
    };
    results.push(r);
    o.onResult?.(r);
  }
  return results;
}

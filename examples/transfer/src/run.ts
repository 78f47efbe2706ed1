/** The transfer-learning example as a function (`runTransfer`) and its command-line parsing; main.ts is the CLI. */
import { Functional, datasets, gather, layers, loadModel, reshape, setSeed, tensor } from 'minikeras';
import type { Model, SymbolicTensor, Tensor } from 'minikeras';
import { resolve } from 'node:path';

export interface Options {
  target: 'digits' | 'fashion';
  /** Training examples per new class. */
  shots: number;
  pretrainEpochs: number;
  finetuneEpochs: number;
  seed: number;
  data?: string;
  save?: string;
}

export function parseArgs(argv: string[]): Options {
  const o: Options = { target: 'digits', shots: 20, pretrainEpochs: 3, finetuneEpochs: 40, seed: 42 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const count = () => {
      const n = Number(value());
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${a} must be a positive integer`);
      return n;
    };
    switch (a) {
      case '--target': { const v = value(); if (v !== 'digits' && v !== 'fashion') throw new Error(`--target must be digits or fashion, got ${v}`); o.target = v; break; }
      case '--shots': o.shots = count(); break;
      case '--pretrain-epochs': o.pretrainEpochs = count(); break;
      case '--finetune-epochs': o.finetuneEpochs = count(); break;
      case '--seed': o.seed = Number(value()); break;
      case '--data': o.data = value(); break;
      case '--save': o.save = value(); break;
      case '--help': case '-h':
        console.log('usage: pnpm transfer [--target digits|fashion] [--shots N] [--pretrain-epochs N] [--finetune-epochs N] [--data DIR] [--seed N] [--save DIR]');
        process.exit(0);
      default: throw new Error(`unknown argument ${a} (try --help)`);
    }
  }
  return o;
}

interface Split { x: Tensor; y: Tensor }

/**
 * The images whose label `relabel` maps to a class (at most `perClass` of each, in order), as NHWC images
 * and their new labels.
 */
function select(split: { x: Tensor; y: Tensor }, relabel: (label: number) => number | null, perClass = Infinity): Split {
  const indices: number[] = [];
  const labels: number[] = [];
  const seen = new Map<number, number>();
  for (let i = 0; i < split.y.size; i++) {
    const c = relabel(split.y.values[i]!);
    if (c === null || (seen.get(c) ?? 0) >= perClass) continue;
    seen.set(c, (seen.get(c) ?? 0) + 1);
    indices.push(i);
    labels.push(c);
  }
  const x = reshape(gather(split.x, tensor(indices, [indices.length], 'int32'), 0), [-1, 28, 28, 1]);
  return { x, y: tensor(labels, [labels.length], 'int32') };
}

/** A small convnet: the convolutional layers (up to 'flatten') are what transfers, the dense layers are task-specific. */
export function convnet(classes: number, name: string): Model {
  const inputs = layers.Input({ shape: [28, 28, 1], name: 'image' });
  let x = new layers.Conv2D(16, 3, { name: 'conv1' }).apply(inputs);
  x = new layers.ReLU({ name: 'relu1' }).apply(new layers.BatchNormalization({ name: 'bn1' }).apply(x));
  x = new layers.MaxPooling2D(2, { name: 'pool1' }).apply(x);
  x = new layers.Conv2D(32, 3, { activation: 'relu', name: 'conv2' }).apply(x);
  x = new layers.MaxPooling2D(2, { name: 'pool2' }).apply(x);
  x = new layers.Flatten({ name: 'flatten' }).apply(x);
  x = new layers.Dense(64, { activation: 'relu', name: 'features' }).apply(x);
  x = new layers.Dropout(0.3, { name: 'dropout' }).apply(x);
  const outputs = new layers.Dense(classes, { activation: 'softmax', name: 'head' }).apply(x);
  // Functional is what Keras' Model(inputs, outputs) builds (naming it keeps bundlers from dropping it).
  return new Functional({ inputs, outputs, name });
}

/** Freezes every layer of `base` and puts a new softmax head for `classes` classes on the output of `featureLayer`. */
export function withNewHead(base: Model, classes: number, featureLayer = 'flatten'): Model {
  for (const layer of base.layers) layer.trainable = false;
  const features = base.getLayer(featureLayer).output as SymbolicTensor;
  const x = new layers.Dropout(0.3, { name: 'new_dropout' }).apply(features);
  const outputs = new layers.Dense(classes, { activation: 'softmax', name: 'new_head' }).apply(x);
  return new Functional({ inputs: base.inputs, outputs, name: 'transferred' });
}

export interface RunResult {
  pretrainAccuracy: number;
  transferAccuracy: number;
  scratchAccuracy: number;
  /** Whether every weight of the frozen base (BatchNormalization statistics included) is bit-identical after fine-tuning. */
  baseUnchanged: boolean;
  pretrainedDir: string;
  transferredDir: string;
}

export async function runTransfer(opts: Options, log: (line: string) => void = console.log, verbose: 0 | 1 = 1): Promise<RunResult> {
  setSeed(opts.seed);
  const digits = await datasets.mnist.loadData({ normalize: true });
  const fashion = opts.target === 'fashion';
  const pretrainClass = (d: number) => (fashion ? d : d < 5 ? d : null);
  const newClasses = fashion ? 10 : 5;
  const names = fashion ? datasets.FASHION_MNIST_CLASS_NAMES : ['5', '6', '7', '8', '9'];

  // 1. Pretrain on the source task and save, as a published model would be.
  const source = select(digits.train, pretrainClass);
  const sourceTest = select(digits.test, pretrainClass);
  log(`1. Pretraining on ${fashion ? 'all ten digits' : 'digits 0-4'}: ${source.y.size} bundled MNIST images`);
  const pretrained = convnet(fashion ? 10 : 5, 'digits_convnet');
  pretrained.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  await pretrained.fit(source.x, source.y, { epochs: opts.pretrainEpochs, batchSize: 64, verbose });
  const [, pretrainAccuracy] = pretrained.evaluate(sourceTest.x, sourceTest.y, { batchSize: 256 }) as [number, number];
  const base = resolve(process.env.INIT_CWD ?? process.cwd(), opts.save ?? 'transfer-models');
  const pretrainedDir = resolve(base, 'pretrained');
  await pretrained.save(pretrainedDir);
  log(`   test accuracy ${(pretrainAccuracy * 100).toFixed(1)}%, saved to ${pretrainedDir}`);

  // 2. The new task: a few labelled examples per new class.
  const target = fashion ? await datasets.fashionMnist.loadData({ normalize: true, ...(opts.data ? { path: opts.data } : {}) }) : digits;
  const newClass = (d: number) => (fashion ? d : d >= 5 ? d - 5 : null);
  const few = select(target.train, newClass, opts.shots);
  const newTest = select(target.test, newClass);
  log(`\n2. New classes (${names.join(', ')}): ${opts.shots} training examples each, ${newTest.y.size} test images`);

  // 3. Reload the pretrained model, freeze it, train only a new head.
  const reloaded = await loadModel(pretrainedDir);
  const transferred = withNewHead(reloaded, newClasses);
  const frozen = reloaded.weights.map((w) => ({ w, before: w.values.slice() }));
  transferred.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  if (verbose) transferred.summary(undefined, log);
  await transferred.fit(few.x, few.y, { epochs: opts.finetuneEpochs, batchSize: 16, verbose: 0 });
  const [, transferAccuracy] = transferred.evaluate(newTest.x, newTest.y, { batchSize: 256 }) as [number, number];
  const baseUnchanged = frozen.every(({ w, before }) => w.values.every((v, i) => v === before[i]));
  const transferredDir = resolve(base, 'transferred');
  await transferred.save(transferredDir);
  log(`3. Frozen pretrained base + new head: test accuracy ${(transferAccuracy * 100).toFixed(1)}% (base weights and BatchNormalization statistics unchanged: ${baseUnchanged ? 'yes' : 'NO'}), saved to ${transferredDir}`);

  // 4. The same network trained from scratch on the same few examples, for comparison (on digits it is a
  // close race: 5-9 are easy to learn from scratch; the frozen base trains only the head, in a fraction of the time).
  const scratch = convnet(newClasses, 'from_scratch');
  scratch.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  await scratch.fit(few.x, few.y, { epochs: opts.finetuneEpochs, batchSize: 16, verbose: 0 });
  const [, scratchAccuracy] = scratch.evaluate(newTest.x, newTest.y, { batchSize: 256 }) as [number, number];
  log(`4. The same convnet from scratch on those ${opts.shots * newClasses} images: test accuracy ${(scratchAccuracy * 100).toFixed(1)}%`);
  return { pretrainAccuracy, transferAccuracy, scratchAccuracy, baseUnchanged, pretrainedDir, transferredDir };
}

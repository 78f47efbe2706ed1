/** The MNIST example as a function (`runMnist`) and its command-line parsing; main.ts is the CLI. */
import { argMax, optimizers, reshape, setSeed, datasets, slice } from 'minikeras';
import type { OptimizerName } from 'minikeras';
import { resolve } from 'node:path';
import { cnn, mlp } from './models';
import { renderDigits } from './ascii';

export interface Options { model: 'mlp' | 'cnn'; epochs: number; batchSize: number; optimizer: string; data?: string; dataset: 'mnist' | 'fashion'; seed: number; save?: string }

export function parseArgs(argv: string[]): Options {
  const o: Options = { model: 'mlp', epochs: 0, batchSize: 32, optimizer: 'adam', dataset: 'mnist', seed: 42 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--model': { const v = value(); if (v !== 'mlp' && v !== 'cnn') throw new Error(`--model must be mlp or cnn, got ${v}`); o.model = v; break; }
      case '--epochs': o.epochs = Number(value()); break;
      case '--batch-size': o.batchSize = Number(value()); break;
      case '--optimizer': o.optimizer = value(); break;
      case '--data': o.data = value(); break;
      case '--dataset': { const v = value(); if (v !== 'mnist' && v !== 'fashion') throw new Error(`--dataset must be mnist or fashion, got ${v}`); o.dataset = v; break; }
      case '--seed': o.seed = Number(value()); break;
      case '--save': o.save = value(); break;
      case '--help': case '-h':
        console.log('usage: pnpm mnist [--model mlp|cnn] [--epochs N] [--batch-size N] [--optimizer NAME] [--data DIR] [--dataset mnist|fashion] [--seed N]');
        process.exit(0);
      default: throw new Error(`unknown argument ${a} (try --help)`);
    }
  }
  if (!o.epochs) o.epochs = o.model === 'cnn' ? 6 : o.dataset === 'fashion' ? 5 : 15;
  return o;
}

export interface RunResult { testAccuracy: number; testLoss: number; seconds: number; saveDir: string }

/** Loads the data, trains, evaluates, draws a few digits and saves the model; `log` receives every line. */
export async function runMnist(opts: Options, log: (line: string) => void = console.log, verbose: 0 | 1 = 1): Promise<RunResult> {
  setSeed(opts.seed);
  const loaderOptions = { normalize: true, ...(opts.data ? { path: opts.data } : {}) };
  const data = opts.dataset === 'fashion' ? await datasets.fashionMnist.loadData(loaderOptions) : await datasets.mnist.loadData(loaderOptions);
  const shape = opts.model === 'cnn' ? [28, 28, 1] : [28, 28];
  const xTrain = reshape(data.train.x, [-1, ...shape]);
  const xTest = reshape(data.test.x, [-1, ...shape]);
  log(`${opts.dataset === 'fashion' ? 'Fashion-MNIST' : 'MNIST'}: ${xTrain.shape[0]} training and ${xTest.shape[0]} test images${opts.data ? ` from ${opts.data}` : opts.dataset === 'fashion' ? '' : ' (bundled)'}`);

  const model = opts.model === 'cnn' ? cnn() : mlp();
  if (verbose) model.summary(undefined, log);
  model.compile({
    optimizer: optimizers.get(opts.optimizer as OptimizerName),
    loss: 'sparse_categorical_crossentropy',
    metrics: ['accuracy'],
  });

  const start = performance.now();
  await model.fit(xTrain, data.train.y, { epochs: opts.epochs, batchSize: opts.batchSize, validationSplit: 0.1, verbose });
  const seconds = (performance.now() - start) / 1000;

  const [testLoss, testAccuracy] = model.evaluate(xTest, data.test.y, { batchSize: 256 }) as [number, number];
  log(`\nTest accuracy: ${(testAccuracy * 100).toFixed(2)}%  (test loss ${testLoss.toFixed(4)}, trained in ${seconds.toFixed(1)} s)\n`);

  const show = 4;
  const predicted = argMax(model.predict(slice(xTest, 0, show)), -1);
  const names = opts.dataset === 'fashion' ? datasets.FASHION_MNIST_CLASS_NAMES : null;
  const label = (k: number) => (names ? names[k]! : String(k));
  const images: Float32Array[] = [];
  const captions: string[] = [];
  for (let i = 0; i < show; i++) {
    images.push(xTest.values.subarray(i * 784, (i + 1) * 784) as Float32Array);
    const p = predicted.values[i]!, t = data.test.y.values[i]!;
    captions.push(`pred ${label(p)} / true ${label(t)}${p === t ? '' : ' ✗'}`);
  }
  log(renderDigits(images, captions));

  const saveDir = resolve(process.env.INIT_CWD ?? process.cwd(), opts.save ?? `${opts.dataset === 'fashion' ? 'fashion-' : ''}mnist-${opts.model}-model`);
  await model.save(saveDir);
  log(`\nSaved the trained model (TensorFlow.js Layers format) to ${saveDir}`);
  return { testAccuracy, testLoss, seconds, saveDir };
}

/**
 * Trains an MNIST classifier on the digits bundled with minikeras (offline), prints the test accuracy,
 * and draws a few test digits with their predicted and true labels.
 *
 *   pnpm mnist [--model mlp|cnn] [--epochs N] [--batch-size N] [--optimizer adam|sgd|rmsprop|...]
 *              [--data <dir with IDX files>] [--dataset mnist|fashion] [--seed N] [--save <dir>]
 *
 * The trained model is saved (TensorFlow.js Layers format) to ./mnist-mlp-model unless --save says otherwise.
 */
import { argMax, optimizers, reshape, setSeed, datasets } from 'minikeras';
import type { OptimizerName } from 'minikeras';
import { resolve } from 'node:path';
import { cnn, mlp } from './models';
import { renderDigits } from './ascii';

interface Options { model: 'mlp' | 'cnn'; epochs: number; batchSize: number; optimizer: string; data?: string; dataset: 'mnist' | 'fashion'; seed: number; save?: string }

function parseArgs(argv: string[]): Options {
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
  if (!o.epochs) o.epochs = o.model === 'cnn' ? 6 : 15;
  return o;
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  setSeed(opts.seed);
  const loaderOptions = { normalize: true, ...(opts.data ? { path: opts.data } : {}) };
  const data = opts.dataset === 'fashion' ? await datasets.fashionMnist.loadData(loaderOptions) : await datasets.mnist.loadData(loaderOptions);
  const shape = opts.model === 'cnn' ? [28, 28, 1] : [28, 28];
  const xTrain = reshape(data.train.x, [-1, ...shape]);
  const xTest = reshape(data.test.x, [-1, ...shape]);
  console.log(`${opts.dataset === 'fashion' ? 'Fashion-MNIST' : 'MNIST'}: ${xTrain.shape[0]} training and ${xTest.shape[0]} test images${opts.data ? ` from ${opts.data}` : ' (bundled)'}`);

  const model = opts.model === 'cnn' ? cnn() : mlp();
  model.summary();
  model.compile({
    optimizer: optimizers.get(opts.optimizer as OptimizerName),
    loss: 'sparse_categorical_crossentropy',
    metrics: ['accuracy'],
  });

  const start = performance.now();
  await model.fit(xTrain, data.train.y, { epochs: opts.epochs, batchSize: opts.batchSize, validationSplit: 0.1 });
  const seconds = (performance.now() - start) / 1000;

  const [testLoss, testAccuracy] = model.evaluate(xTest, data.test.y, { batchSize: 256 }) as number[];
  console.log(`\nTest accuracy: ${(testAccuracy! * 100).toFixed(2)}%  (test loss ${testLoss!.toFixed(4)}, trained in ${seconds.toFixed(1)} s)\n`);

  const show = 4;
  const probs = model.predict(xTest.reshape([-1, ...shape]), { batchSize: 256 });
  const predicted = argMax(probs, -1);
  const names = opts.dataset === 'fashion' ? datasets.FASHION_MNIST_CLASS_NAMES : null;
  const images: Float32Array[] = [];
  const captions: string[] = [];
  for (let i = 0; i < show; i++) {
    images.push(xTest.values.subarray(i * 784, (i + 1) * 784) as Float32Array);
    const p = predicted.values[i]!, t = data.test.y.values[i]!;
    const label = (k: number) => (names ? names[k]! : String(k));
    captions.push(`pred ${label(p)} / true ${label(t)}${p === t ? '' : ' ✗'}`);
  }
  console.log(renderDigits(images, captions));

  const saveDir = resolve(process.env.INIT_CWD ?? process.cwd(), opts.save ?? `${opts.dataset === 'fashion' ? 'fashion-' : ''}mnist-${opts.model}-model`);
  await model.save(saveDir);
  console.log(`\nSaved the trained model (TensorFlow.js Layers format) to ${saveDir}`);
  if (testAccuracy! < 0.5) process.exitCode = 1;
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});


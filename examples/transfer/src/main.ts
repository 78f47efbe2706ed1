/**
 * Transfer learning, the Teachable Machine workflow in code: pretrain a small convnet on the MNIST digits
 * bundled with minikeras, save it, reload it, freeze it and train a new head for new classes from a few
 * examples each; compare with the same network trained from scratch on those few examples.
 *
 *   pnpm transfer [--target digits|fashion] [--shots N] [--pretrain-epochs N] [--finetune-epochs N]
 *                 [--data <Fashion-MNIST dir>] [--seed N] [--save <dir>]
 *
 * --target digits (default, offline): pretrain on digits 0-4, learn digits 5-9 from N examples each.
 * --target fashion: pretrain on all ten digits, learn the ten Fashion-MNIST classes from N examples each
 * (from /usr/share/datasets/fashion-mnist, Debian's dataset-fashion-mnist, or --data).
 */
import { parseArgs, runTransfer } from './run';

try {
  await runTransfer(parseArgs(process.argv.slice(2)));
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
}

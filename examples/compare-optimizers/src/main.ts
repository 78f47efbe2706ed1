/**
 * "Experiment with different optimizers to find the best one for your task", as one command:
 *   pnpm compare-optimizers [--epochs N] [--samples N] [--batch-size N] [--only adam,sgd] [--out report.html]
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULTS, compareOptimizers } from './compare';
import { formatTable, renderHtml } from './report';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const epochs = Number(option('--epochs') ?? DEFAULTS.epochs);
const samples = Number(option('--samples') ?? DEFAULTS.samples);
const batchSize = Number(option('--batch-size') ?? DEFAULTS.batchSize);
const only = option('--only')?.split(',');
const out = resolve(process.env.INIT_CWD ?? process.cwd(), option('--out') ?? 'optimizer-comparison.html');

console.log(`Training an MNIST MLP (784-64-10) on ${samples} digits for ${epochs} epochs with each optimizer...`);
const results = await compareOptimizers({ epochs, samples, batchSize, ...(only ? { only } : {}), onResult: (r) => console.log(`  ${r.label.padEnd(13)} val accuracy ${(r.valAccuracy.at(-1)! * 100).toFixed(2)}%  (${r.seconds.toFixed(1)} s)`) });
console.log(`\n${formatTable(results, DEFAULTS.targetAccuracy)}\n`);
writeFileSync(out, renderHtml(results, { epochs, batchSize, samples, targetAccuracy: DEFAULTS.targetAccuracy, date: new Date().toISOString() }));
console.log(`Wrote ${out}`);

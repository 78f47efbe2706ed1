/** XOR with a 2-8-1 Sequential model: trains in a fraction of a second and prints the truth table. */
import { XOR_INPUTS, XOR_TARGETS, trainXor } from './xor';

const { model, loss, accuracy, ms } = await trainXor();
const predictions = model.predict(XOR_INPUTS).dataSync();
console.log(' x1 x2 | target | prediction');
XOR_INPUTS.forEach(([a, b], i) => {
  const p = predictions[i]!;
  console.log(`  ${a}  ${b} |   ${XOR_TARGETS[i]![0]}    | ${p.toFixed(4)} -> ${p > 0.5 ? 1 : 0}`);
});
console.log(`\naccuracy ${(accuracy * 100).toFixed(0)}%  loss ${loss.toFixed(4)}  trained 200 epochs in ${ms.toFixed(0)} ms`);
if (accuracy < 1) process.exitCode = 1;

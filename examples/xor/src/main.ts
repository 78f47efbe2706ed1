/**
 * XOR with a 2-8-1 network (tanh, sigmoid), trained by plain gradient descent on the tensor API.
 * Prints the truth table with the network's predictions.
 */
import * as mk from '@minikeras/tensor';

mk.setSeed(1);
const x = mk.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = mk.tensor([[0], [1], [1], [0]]);

const w1 = mk.variable(mk.randomNormal([2, 8], 0, 1), { name: 'w1' });
const b1 = mk.variable(mk.zeros([8]), { name: 'b1' });
const w2 = mk.variable(mk.randomNormal([8, 1], 0, 1), { name: 'w2' });
const b2 = mk.variable(mk.zeros([1]), { name: 'b2' });

const predict = (input: mk.Tensor) => mk.sigmoid(mk.add(mk.matmul(mk.tanh(mk.add(mk.matmul(input, w1), b1)), w2), b2));
const bce = (p: mk.Tensor) => {
  const clipped = mk.clipByValue(p, 1e-7, 1 - 1e-7);
  return mk.neg(mk.mean(mk.add(mk.mul(y, mk.log(clipped)), mk.mul(mk.sub(1, y), mk.log(mk.sub(1, clipped))))));
};

const learningRate = 0.5;
const start = performance.now();
let loss = 0;
for (let step = 1; step <= 2000; step++) {
  const { value, grads } = mk.variableGrads(() => bce(predict(x)));
  loss = value.item();
  for (const [v, g] of grads) v.assign(mk.sub(v, mk.mul(g, learningRate)));
  if (step % 500 === 0) console.log(`step ${step}  loss ${loss.toFixed(5)}`);
}
const ms = performance.now() - start;

const p = mk.noGrad(() => predict(x));
let correct = 0;
console.log('\n x1 x2 | target | prediction');
for (let i = 0; i < 4; i++) {
  const [a, b] = [x.values[2 * i], x.values[2 * i + 1]];
  const pred = p.values[i]!;
  if ((pred > 0.5 ? 1 : 0) === y.values[i]) correct++;
  console.log(`  ${a}  ${b} |   ${y.values[i]}    | ${pred.toFixed(4)}`);
}
console.log(`\naccuracy ${(correct / 4) * 100}%  final loss ${loss.toFixed(5)}  (${ms.toFixed(0)} ms)`);
if (correct !== 4) process.exitCode = 1;

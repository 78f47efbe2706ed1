/**
 * Optimizer step benchmark: `applyGradients` on one 1000x1000 float32 variable (1M parameters, a Dense kernel)
 * for every minikeras optimizer, and the same step with @tensorflow/tfjs-core 4.22's optimizers on its 'cpu'
 * backend, in the same process. Prints ms/step, the speed-up over tfjs, and the effective memory bandwidth of
 * our fused loops next to a plain JS triad loop (a[i] = b[i] + s * c[i]) as the machine's practical ceiling.
 *
 * Usage: pnpm bench:optimizers [--quick]      (--quick: a few steps each, runs in seconds)
 */
import * as tf from '@tensorflow/tfjs-core';
// A named import: the package marks itself side-effect free, so a bare import would be dropped by the bundler
// and the 'cpu' backend never registered.
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { Variable, tensor } from '@minikeras/tensor';
import { OPTIMIZERS } from '@minikeras/optimizers';
import type { Optimizer, OptimizerName } from '@minikeras/optimizers';

const quick = process.argv.includes('--quick');
const ROWS = 1000, COLS = 1000, N = ROWS * COLS;
const WARMUP = quick ? 2 : 5;
const STEPS = quick ? 5 : 40;
const TF_STEPS = quick ? 3 : 15;

/** Deterministic values in [-1, 1) (a fixed LCG, so runs are comparable). */
function fill(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

interface Timing {
  /** Wall-clock ms per call: the fastest of several short batches. */
  wall: number;
  /** Process CPU ms per call (user + system) over the same batches, fastest batch: what the step costs when the
   * (shared, 2-core) machine is busy with other work, which inflates wall time but not CPU time. */
  cpu: number;
}

function timeIt(steps: number, step: () => void): Timing {
  const batch = Math.max(1, Math.floor(steps / 5));
  let wall = Infinity, cpu = Infinity;
  for (let done = 0; done < steps; done += batch) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < batch; i++) step();
    const c = process.cpuUsage(c0);
    wall = Math.min(wall, (performance.now() - t0) / batch);
    cpu = Math.min(cpu, (c.user + c.system) / 1000 / batch);
  }
  return { wall, cpu };
}

/** Bytes each fused step reads and writes per parameter (float32): variable, gradient and slots. */
const BYTES_PER_PARAM: Partial<Record<OptimizerName, number>> = {
  sgd: 4 * 3, // read p, g; write p
  adam: 4 * 7, // read p, g, m, v; write p, m, v
  adamw: 4 * 7,
  rmsprop: 4 * 5,
  adagrad: 4 * 5,
  adadelta: 4 * 7,
  adamax: 4 * 7,
  nadam: 4 * 7,
  ftrl: 4 * 7,
  lion: 4 * 5,
};

/** Our optimizers, configured to match the tfjs twin where there is one. */
const OURS: Record<OptimizerName, () => Optimizer> = {
  sgd: () => new OPTIMIZERS.sgd({ learningRate: 0.01, momentum: 0.9 }),
  adam: () => new OPTIMIZERS.adam(),
  adamw: () => new OPTIMIZERS.adamw(),
  rmsprop: () => new OPTIMIZERS.rmsprop(),
  adagrad: () => new OPTIMIZERS.adagrad({ learningRate: 0.01 }),
  adadelta: () => new OPTIMIZERS.adadelta(),
  adamax: () => new OPTIMIZERS.adamax(),
  nadam: () => new OPTIMIZERS.nadam(),
  ftrl: () => new OPTIMIZERS.ftrl(),
  lion: () => new OPTIMIZERS.lion(),
  adafactor: () => new OPTIMIZERS.adafactor(),
};

const TFJS: Partial<Record<OptimizerName, () => tf.Optimizer>> = {
  sgd: () => tf.train.momentum(0.01, 0.9),
  adam: () => tf.train.adam(0.001, 0.9, 0.999, 1e-7),
  rmsprop: () => tf.train.rmsprop(0.001, 0.9, 0, 1e-7),
  adagrad: () => tf.train.adagrad(0.01, 0.1),
  adadelta: () => tf.train.adadelta(0.001, 0.95, 1e-7),
  adamax: () => tf.train.adamax(0.001, 0.9, 0.999, 1e-7),
};

function triadGBs(): number {
  const a = new Float32Array(N), b = fill(N, 1), c = fill(N, 2);
  const triad = () => { for (let i = 0; i < N; i++) a[i] = b[i]! + 0.5 * c[i]!; };
  for (let i = 0; i < WARMUP; i++) triad();
  return (12 * N) / (timeIt(STEPS, triad).wall * 1e6);
}

function benchOurs(name: OptimizerName): Timing {
  const v = new Variable(tensor(fill(N, 3), [ROWS, COLS]), { name: 'kernel' });
  const g = tensor(fill(N, 4).map((x) => x * 1e-3), [ROWS, COLS]);
  const opt = OURS[name]();
  for (let i = 0; i < WARMUP; i++) opt.applyGradients([[g, v]]);
  return timeIt(STEPS, () => opt.applyGradients([[g, v]]));
}

function benchTfjs(make: () => tf.Optimizer): Timing {
  const v = tf.variable(tf.tensor2d(fill(N, 3), [ROWS, COLS]), true, 'kernel');
  const g = tf.tensor2d(fill(N, 4).map((x) => x * 1e-3), [ROWS, COLS]);
  const opt = make();
  const step = () => opt.applyGradients({ kernel: g });
  for (let i = 0; i < Math.min(WARMUP, 2); i++) step();
  const t = timeIt(TF_STEPS, step);
  opt.dispose();
  v.dispose();
  g.dispose();
  return t;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  const triad = triadGBs();
  console.log(`optimizer step, 1000x1000 float32 variable (${N.toLocaleString('en-US')} parameters)${quick ? ' [--quick]' : ''}`);
  console.log(`node ${process.version}, tfjs-core ${tf.version_core} + tfjs-backend-cpu ${version_cpu} on '${tf.getBackend()}'; JS triad loop a = b + s*c: ${triad.toFixed(1)} GB/s`);
  console.log('');
  console.log('ms per step: wall clock (best batch) / process CPU time; speed-up = tfjs CPU time / minikeras CPU time');
  console.log('');
  console.log('optimizer   minikeras wall / cpu   GB/s   tfjs-cpu wall / cpu   speed-up');
  const fmt = (t: Timing) => `${t.wall.toFixed(2)} / ${t.cpu.toFixed(2)}`;
  const names = Object.keys(OPTIMIZERS) as OptimizerName[];
  // All of ours first, then all of tfjs: tfjs leaves a lot of garbage whose collection would otherwise be
  // charged to whichever of our optimizers runs next.
  const ours = new Map(names.map((name) => [name, benchOurs(name)]));
  const theirs = new Map(names.flatMap((name) => {
    const make = TFJS[name];
    return make ? [[name, benchTfjs(make)] as const] : [];
  }));
  for (const name of names) {
    const o = ours.get(name)!, t = theirs.get(name);
    const bytes = BYTES_PER_PARAM[name];
    const cells = [
      name.padEnd(10),
      fmt(o).padStart(21),
      (bytes ? ((bytes * N) / (o.wall * 1e6)).toFixed(1) : '-').padStart(6),
      (t ? fmt(t) : '(none)').padStart(21),
      (t ? `${(t.cpu / o.cpu).toFixed(1)}x` : '-').padStart(10),
    ];
    console.log(cells.join(' '));
  }
}

await main();

/**
 * `pnpm bench`: minikeras against @tensorflow/tfjs 4.22 (cpu and wasm backends), brain.js 1.6.1 and
 * ConvNetJS 0.3.0 on W1, W1b, W2, W3, W4 (Embedding-LSTM-Dense), the optimizer step, memory over 50 epochs, and
 * CPU profiles of minikeras; prints the tables and writes them into docs/performance.md.
 *
 *   pnpm bench [--quick] [--rounds N] [--workloads w1,w1b,w2,w3,w4] [--systems minikeras,tfjs-cpu,...]
 *              [--no-fit] [--no-memory] [--no-optimizers] [--no-profile] [--out FILE | --no-write] [--json FILE]
 *              [--verbose]
 *
 * --quick: a smoke run of every path in well under a minute (tiny budgets, one round, no slow peers on W2);
 * it writes nothing unless --out is given. The full run takes about 20 minutes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMachine, finishMachine, machineLine } from './machine';
import { planJobs } from './plan';
import { timeByArea, topSelfTime, watFunctionNames } from './profile';
import type { AreaTime, CpuProfile, Frame, SelfTimeEntry } from './profile';
import { FULL, QUICK } from './protocol';
import type { Protocol } from './protocol';
import { DEFAULT_WORKLOADS, aggregate, fmt, partialWorkloads, renderReport, sectionMarkers, writeSection } from './report';
import type { Report } from './report';
import { BENCH_DIR, REPO_DIR, bundleWorkers, runJob } from './runner';
import type { Bundles } from './runner';
import { SYSTEMS, WORKLOADS } from './workloads';
import type { Job, JobResult, SystemId, WorkloadId } from './workloads';

export interface BenchOptions {
  quick: boolean;
  rounds: number;
  workloads: WorkloadId[];
  systems: SystemId[];
  fit: boolean;
  memory: boolean;
  optimizers: boolean;
  profile: boolean;
  /** Where to write the generated section; null = print only. */
  out: string | null;
  /** Also save every process's raw result (per-rep rates, RSS, messages) as JSON here. */
  json?: string;
  verbose: boolean;
  /** Tests: one protocol for every job, and fewer training samples. */
  protocol?: Protocol;
  trainSamples?: number;
  log?: (line: string) => void;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  const o: BenchOptions = {
    quick: false, rounds: 2, workloads: [...DEFAULT_WORKLOADS], systems: [...SYSTEMS],
    fit: true, memory: true, optimizers: true, profile: true, out: join(REPO_DIR, 'docs', 'performance.md'), verbose: false,
  };
  let outGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`pnpm bench: ${a} needs a value`);
      return v;
    };
    const list = <T extends string>(allowed: readonly T[]): T[] => value().split(',').map((s) => {
      if (!(allowed as readonly string[]).includes(s)) throw new Error(`pnpm bench: ${a} takes ${allowed.join(', ')}; got '${s}'`);
      return s as T;
    });
    switch (a) {
      case '--quick': o.quick = true; break;
      case '--rounds': {
        o.rounds = Number(value());
        if (!Number.isInteger(o.rounds) || o.rounds < 1) throw new Error(`pnpm bench: --rounds must be a positive integer, got ${argv[i]}`);
        break;
      }
      case '--workloads': o.workloads = list(Object.keys(WORKLOADS) as WorkloadId[]); break;
      case '--systems': o.systems = list(SYSTEMS); break;
      case '--no-fit': o.fit = false; break;
      case '--no-memory': o.memory = false; break;
      case '--no-optimizers': o.optimizers = false; break;
      case '--no-profile': o.profile = false; break;
      case '--out': o.out = value(); outGiven = true; break;
      case '--no-write': o.out = null; outGiven = true; break;
      case '--json': o.json = value(); break;
      case '--verbose': o.verbose = true; break;
      case '--help': case '-h':
        console.log('usage: pnpm bench [--quick] [--rounds N] [--workloads w1,w1b,w2,w3,w4] [--systems minikeras,tfjs-cpu,tfjs-wasm,brain.js,convnetjs] [--no-fit] [--no-memory] [--no-optimizers] [--no-profile] [--out FILE | --no-write] [--json FILE] [--verbose]');
        process.exit(0);
      default: throw new Error(`pnpm bench: unknown argument ${a} (try --help)`);
    }
  }
  // A smoke run must not overwrite the recorded numbers.
  if (o.quick && !outGiven) o.out = null;
  return o;
}

function describe(r: JobResult): string {
  const w = WORKLOADS[r.job.workload];
  const head = `${r.job.workload} ${r.job.system} ${r.job.api}`;
  if (r.status !== 'ok') return `${head}: ${r.status}${r.message ? ` (${r.message})` : ''}`;
  const rates = r.rates.map(fmt).join(', ');
  return `${head}: ${rates} ${w.unit}, peak RSS ${fmt(r.peakRssMiB)} MiB, ${fmt(r.processSeconds)} s`;
}

/**
 * W4's profile by area of the step (see `timeByArea`: a sample belongs to the outermost of these on its stack).
 * The only closure of ops/shape.ts on W4's stacks is the gather op's backward (the embedding's scatter-add).
 */
export function w4Area(f: Frame): string | null {
  const file = f.where.replace(/:\d+$/, '');
  if (file === 'packages/layers/src/layers/embedding.ts' && f.name === 'call') return 'Embedding forward (id checks + gather)';
  if (file === 'packages/tensor/src/ops/shape.ts') {
    if (f.name.startsWith('gather')) return 'Embedding forward (id checks + gather)';
    if (f.name === '(anonymous)') return 'Embedding backward (scatter-add into a dense 10,000 × 64 gradient)';
  }
  if (file === 'packages/tensor/src/ops/rnn.ts') {
    if (f.name === 'lstm') return 'LSTM forward (lstm op: input projection, 100 × (h·R + gate kernel))';
    if (f.name === '(anonymous)') return 'LSTM backward (lstm op: 100 × (gate gradients + dz·Rᵀ), then dW, dR, db, dx)';
  }
  if (file.startsWith('packages/optimizers/src/')) return 'Adam (673,089 weights, 640,000 of them the embedding)';
  if (f.name === '(garbage collector)') return 'garbage collector';
  return null;
}

async function profileRun(bundles: Bundles, workload: WorkloadId, quick: boolean): Promise<{ title: string; entries: SelfTimeEntry[]; areas?: AreaTime[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'minikeras-prof-'));
  try {
    const protocol: Protocol = quick ? QUICK : { ...FULL, reps: 1, repSeconds: 8, budgetSeconds: 30 };
    const profilePath = join(dir, `${workload}.cpuprofile`);
    const job: Job = { system: 'minikeras', workload, api: 'tob', protocol, timeoutSeconds: 120, profilePath };
    const result = await runJob(bundles, job);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    const title = `${shortTitle(WORKLOADS[workload].title)} — trainOnBatch, ${result.status === 'ok' ? `${fmt(result.rates[0])} ${WORKLOADS[workload].unit} under the profiler` : result.status}`;
    if (!file) return { title: `${title} (no profile written)`, entries: [] };
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const wasm = minikerasWasm();
    const entries = topSelfTime(profile, workload === 'w4' ? 16 : 12, REPO_DIR, wasm);
    if (workload !== 'w4') return { title, entries };
    return { title, entries, areas: timeByArea(profile, w4Area, REPO_DIR, wasm, 'other (Dense, loss, autograd, training loop)') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A workload title up to its first comma outside parentheses ('W4 Embedding(10k, 64)-LSTM(64)-...'). */
export function shortTitle(title: string): string {
  let depth = 0;
  for (let i = 0; i < title.length; i++) {
    const ch = title[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) return title.slice(0, i);
  }
  return title;
}

/** minikeras' hand-written WebAssembly kernels, to name them in profiles. */
function minikerasWasm(): { names: string[]; file: string } | undefined {
  const file = join(REPO_DIR, 'packages', 'tensor', 'src', 'kernels', 'wasm', 'kernels.wat');
  try {
    return { names: watFunctionNames(readFileSync(file, 'utf8')), file };
  } catch {
    return undefined;
  }
}

/** Runs bench/src/optimizers.ts (the optimizer helper's benchmark) and returns what it printed. */
function optimizerRun(quick: boolean): Promise<string> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [join(REPO_DIR, 'scripts', 'run.mjs'), 'src/optimizers.ts', ...(quick ? ['--quick'] : [])], {
      cwd: BENCH_DIR, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '', err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
    child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 900_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      // tfjs' "install our node backend" banner is not part of the results.
      const text = out.split('\n').filter((l) => !/TensorFlow\.js in Node\.js|^={10,}$/.test(l)).join('\n');
      resolvePromise(code === 0 ? text : `${text}\n(optimizer benchmark exited with code ${code}: ${err.trim().split('\n').slice(-3).join(' | ')})`);
    });
  });
}

export async function runBench(o: BenchOptions): Promise<{ report: Report; markdown: string; results: JobResult[] }> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = performance.now();
  const machine = describeMachine(REPO_DIR);
  log(`pnpm bench${o.quick ? ' --quick' : ''}: ${machineLine(machine)}`);
  const plan = planJobs({
    quick: o.quick, rounds: o.rounds, workloads: o.workloads, systems: o.systems, fit: o.fit, memory: o.memory,
    protocol: o.protocol, trainSamples: o.trainSamples,
  });
  const bundles = await bundleWorkers();
  const results: JobResult[] = [...plan.notes];
  const profiles: Report['profiles'] = [];
  let optimizers: string | undefined;
  try {
    for (const [i, job] of plan.jobs.entries()) {
      const result = await runJob(bundles, job, {
        nodeFlags: job.api === 'memory' ? ['--expose-gc'] : [],
        onOutput: o.verbose ? (line) => log(`    ${line}`) : undefined,
      });
      results.push(result);
      log(`[${i + 1}/${plan.jobs.length}] ${describe(result)}`);
    }
    if (o.profile && o.systems.includes('minikeras')) {
      const profiled = o.quick ? (['w3', 'w4'] as const) : (['w1', 'w3', 'w4'] as const);
      for (const w of profiled.filter((x) => o.workloads.includes(x))) {
        log(`profiling minikeras ${w} (V8 CPU profiler over the timed steps)`);
        profiles.push(await profileRun(bundles, w, o.quick));
      }
    }
    if (o.optimizers) {
      log('optimizer step benchmark (bench/src/optimizers.ts)');
      optimizers = await optimizerRun(o.quick);
    }
  } finally {
    bundles.dispose();
  }
  const report: Report = {
    machine: finishMachine(machine), quick: o.quick, rounds: o.quick ? 1 : o.rounds, protocol: o.quick ? QUICK : FULL,
    rows: aggregate(results), optimizers, profiles, seconds: (performance.now() - started) / 1000,
    workloads: partialWorkloads(o.workloads),
  };
  const markdown = renderReport(report);
  if (o.out) writeSection(o.out, markdown, sectionMarkers(report.workloads));
  if (o.json) writeFileSync(o.json, `${JSON.stringify({ report, results }, null, 1)}\n`);
  return { report, markdown, results };
}

// Run as a script (pnpm bench), not when a test imports this file.
if (process.argv[1]?.replace(/\\/g, '/').endsWith('bench/src/main.ts')) {
  try {
    const options = parseArgs(process.argv.slice(2));
    const { markdown } = await runBench(options);
    console.log(`\n${markdown}`);
    if (options.out) console.error(`wrote the results into ${options.out}`);
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}

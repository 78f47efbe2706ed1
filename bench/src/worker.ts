/**
 * The child-process side: each system's entry file calls `runWorker`, which reads the job from argv, runs
 * it, and prints one tagged JSON line with the rates and the process's peak RSS.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { peakRssMiB } from './data';
import { StepClock, measureSync } from './protocol';
import type { Protocol, Timing } from './protocol';
import { RESULT_TAG } from './workloads';
import type { Job, JobResult } from './workloads';

export type Outcome = Omit<Partial<JobResult>, 'job'>;

export async function runWorker(run: (job: Job) => Promise<Outcome>): Promise<void> {
  const started = performance.now();
  const arg = process.argv[2];
  if (!arg) throw new Error('bench worker: expected the job as JSON in argv[2]');
  const job = JSON.parse(arg) as Job;
  let result: JobResult;
  try {
    const outcome = await run(job);
    result = { job, status: 'ok', rates: [], ...outcome };
  } catch (e) {
    result = { job, status: 'error', rates: [], message: e instanceof Error ? e.message : String(e) };
  }
  result.peakRssMiB = peakRssMiB();
  result.processSeconds = (performance.now() - started) / 1000;
  process.stdout.write(`${RESULT_TAG}${JSON.stringify(result)}\n`);
}

/** Rates per rep in items/s, where one step trains `itemsPerStep` items (samples, or 1 for W3's steps). */
export function fromTiming(t: Timing, itemsPerStep: number): Outcome {
  const wall = t.reps.reduce((s, r) => s + r.seconds, 0);
  const cpu = t.reps.reduce((s, r) => s + r.cpuSeconds, 0);
  return {
    rates: t.reps.map((r) => (r.steps * itemsPerStep) / r.seconds),
    cpuRates: t.reps.map((r) => (r.steps * itemsPerStep) / r.cpuSeconds),
    cpuShare: wall > 0 ? cpu / wall : undefined,
    warmupSteps: t.warmupSteps,
    stepsTimed: t.reps.reduce((s, r) => s + r.steps, 0),
    cutShort: t.cutShort,
  };
}

/**
 * Drives the protocol from a training loop's batch-end hook: `onBatchEnd` returns true once the
 * measurement is complete, and the caller then sets the model's stopTraining.
 */
export class BatchEndTimer {
  readonly clock: StepClock;
  firstLoss: number | undefined;
  lastLoss: number | undefined;
  done = false;

  constructor(protocol: ConstructorParameters<typeof StepClock>[0]) {
    this.clock = new StepClock(protocol);
  }

  onBatchEnd(loss: unknown): boolean {
    if (typeof loss === 'number') {
      if (this.firstLoss === undefined) this.firstLoss = loss;
      this.lastLoss = loss;
    }
    if (!this.done && !this.clock.afterStep()) this.done = true;
    return this.done;
  }
}

/** The step every tob loop runs: cycles through the pre-built batches, remembering the first and last loss. */
export function lossRecorder(): { first: number | undefined; last: number | undefined; see(loss: unknown): void } {
  const r = {
    first: undefined as number | undefined,
    last: undefined as number | undefined,
    see(loss: unknown) {
      const v = Array.isArray(loss) ? loss[0] : loss;
      if (typeof v !== 'number') return;
      if (r.first === undefined) r.first = v;
      r.last = v;
    },
  };
  return r;
}

export function mib(bytes: number): number {
  return bytes / 1024 / 1024;
}

function post(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    session.post(method, params ?? {}, (err: Error | null, result?: unknown) => (err ? reject(err) : resolvePromise(result)));
  });
}

/**
 * measureSync, optionally under the V8 sampling profiler: the warm-up runs unprofiled first, then the timed
 * reps run with the profiler on, so the profile shows the steady state only (no data loading or compiling).
 */
export async function measureSyncProfiled(step: () => void, protocol: Protocol, profilePath: string | undefined): Promise<Timing> {
  if (!profilePath) return measureSync(step, protocol);
  const warm = measureSync(step, { ...protocol, reps: 1, repSeconds: 0, repSteps: 1 });
  const session = new Session();
  session.connect();
  try {
    await post(session, 'Profiler.enable');
    // 1 ms, the interval of `node --cpu-prof`: finer sampling slows tiny steps (W3) noticeably.
    await post(session, 'Profiler.setSamplingInterval', { interval: 1000 });
    await post(session, 'Profiler.start');
    const timing = measureSync(step, { ...protocol, warmupSeconds: 0, warmupSteps: 0 });
    const { profile } = (await post(session, 'Profiler.stop')) as { profile: unknown };
    writeFileSync(profilePath, JSON.stringify(profile));
    return { ...timing, warmupSteps: warm.warmupSteps, warmupSeconds: warm.warmupSeconds };
  } finally {
    session.disconnect();
  }
}

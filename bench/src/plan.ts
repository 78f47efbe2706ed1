/**
 * Which processes a run starts, in which order. Systems are interleaved: every round visits each workload
 * and runs each system once, alternating the system order between rounds, so slow drifts of the shared
 * machine hit all systems alike. Secondary measurements (fit) and the very slow peers run in round 1 only.
 */
import { FULL, FULL_SLOW, ONE_STEP, QUICK } from './protocol';
import type { Protocol } from './protocol';
import { SYSTEMS } from './workloads';
import type { Api, Job, JobResult, SystemId, WorkloadId } from './workloads';

export interface PlanOptions {
  quick: boolean;
  rounds: number;
  workloads: readonly WorkloadId[];
  systems: readonly SystemId[];
  fit: boolean;
  memory: boolean;
  /** Overrides every job's protocol (tests use a tiny one). */
  protocol?: Protocol;
  /** Caps the training samples (tests). */
  trainSamples?: number;
}

/** Where a system cannot run a workload at all: a note instead of a process. */
const NOT_APPLICABLE: Partial<Record<SystemId, Partial<Record<WorkloadId, string>>>> = {
  'brain.js': {
    w1b: 'no minibatches in brain.js 1.6.1 (online training only)',
    w2: 'no convolution layers in brain.js 1.6.1',
    w4: 'no embedding layer, and its LSTM (brain.recurrent.LSTM) trains one sequence at a time through its own string/value API, without minibatches or Adam',
  },
  convnetjs: {
    w4: 'no embedding or recurrent layers in ConvNetJS 0.3.0',
  },
};

/** fit is measured for these (the peers without a fit-like API are measured once, by their own call). */
const FIT: Partial<Record<WorkloadId, SystemId[]>> = {
  w1: ['minikeras', 'tfjs-cpu', 'tfjs-wasm'],
  w1b: ['minikeras', 'tfjs-wasm'],
  w3: ['minikeras', 'tfjs-cpu', 'tfjs-wasm'],
};

export interface Plan {
  jobs: Job[];
  /** Results known without running anything (not applicable, skipped in --quick). */
  notes: JobResult[];
}

export function planJobs(o: PlanOptions): Plan {
  const jobs: Job[] = [];
  const notes: JobResult[] = [];
  const base = o.quick ? QUICK : FULL;
  const timeout = (p: Protocol) => (o.quick ? 60 : p.budgetSeconds + 90);
  const options = o.trainSamples === undefined ? undefined : { trainSamples: o.trainSamples };
  const job = (system: SystemId, workload: WorkloadId, api: Api, protocol: Protocol, timeoutSeconds = timeout(protocol)): Job => ({
    system, workload, api, protocol: o.protocol ?? protocol, timeoutSeconds, ...(options ? { options } : {}),
  });
  const note = (system: SystemId, workload: WorkloadId, message: string) => {
    notes.push({ job: job(system, workload, 'tob', base), status: 'skipped', rates: [], message });
  };

  const rounds = o.quick ? 1 : Math.max(1, o.rounds);
  const systems = SYSTEMS.filter((s) => o.systems.includes(s));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? systems : [...systems].reverse();
    for (const w of o.workloads) {
      for (const s of order) {
        const na = NOT_APPLICABLE[s]?.[w];
        if (na) {
          if (round === 0) note(s, w, na);
          continue;
        }
        if (w === 'w2') {
          if (s === 'tfjs-cpu') {
            // ~100 s per step (its Conv2DBackpropFilter): one timed step, in round 1 only.
            if (o.quick) { note(s, w, 'not run in --quick: ~100 s per step; the full run times one step'); continue; }
            if (round === 0) jobs.push(job(s, w, 'tob', ONE_STEP, 420));
            continue;
          }
          if (s === 'convnetjs') {
            if (o.quick) { note(s, w, 'not run in --quick: ~6 s per batch'); continue; }
            if (round === 0) jobs.push(job(s, w, 'tob', FULL_SLOW));
            continue;
          }
          // tfjs-wasm fails at its first step; once is enough.
          if (s === 'tfjs-wasm' && round > 0) continue;
          jobs.push(job(s, w, 'tob', o.quick ? QUICK : FULL_SLOW));
          continue;
        }
        if (w === 'w4') {
          // Steps of 20-40 ms (minikeras) to seconds (tfjs-cpu): a warm-up of a few steps, reps of >= 5 s.
          jobs.push(job(s, w, 'tob', o.quick ? QUICK : FULL_SLOW));
          continue;
        }
        jobs.push(job(s, w, 'tob', base));
      }
      if (round === 0 && o.fit) {
        for (const s of order) if (FIT[w]?.includes(s)) jobs.push(job(s, w, 'fit', base));
      }
    }
  }
  if (o.memory && o.systems.includes('minikeras') && o.workloads.includes('w1')) {
    // 50 whole epochs (250 batches each, 12,500 steps): a leak of one small tensor per step would show.
    const memoryOptions = o.quick
      ? { trainSamples: 256, epochs: 5, sampleEpochs: [1, 5] }
      : { epochs: 50, sampleEpochs: [5, 10, 20, 30, 40, 50] };
    jobs.push({ system: 'minikeras', workload: 'w1', api: 'memory', protocol: base, timeoutSeconds: o.quick ? 60 : 600, options: memoryOptions });
  }
  return { jobs, notes };
}

/**
 * The timing protocol of shared/benchmarks/peers-2026-11-23.md: an untimed warm-up of at least
 * `warmupSeconds` and `warmupSteps`, then `reps` timed repetitions of at least `repSeconds` and `repSteps`
 * each; a process reports one rate per repetition and the harness takes medians.
 *
 * The same clock drives a hand-written step loop (trainOnBatch) and a training loop that only calls us back
 * (fit's onBatchEnd), so both APIs are measured by identical rules.
 */

export interface Protocol {
  warmupSeconds: number;
  warmupSteps: number;
  reps: number;
  repSeconds: number;
  repSteps: number;
  /** Soft cap on warm-up + reps: past it the clock stops after the current step, keeping what it has. */
  budgetSeconds: number;
}

/** The steady-state protocol of the peer measurements. */
export const FULL: Protocol = { warmupSeconds: 1, warmupSteps: 20, reps: 3, repSeconds: 5, repSteps: 5, budgetSeconds: 90 };
/** Steps that take about a second (W2): the same reps, a warm-up of a few steps. */
export const FULL_SLOW: Protocol = { warmupSeconds: 1, warmupSteps: 2, reps: 3, repSeconds: 5, repSteps: 1, budgetSeconds: 120 };
/** tfjs-cpu on W2 (~100 s per step): one timed step; its one-off first-step costs are < 1 % of it. */
export const ONE_STEP: Protocol = { warmupSeconds: 0, warmupSteps: 0, reps: 1, repSeconds: 0, repSteps: 1, budgetSeconds: 0 };
/** `--quick`: proves every path runs; the numbers mean little. */
export const QUICK: Protocol = { warmupSeconds: 0.05, warmupSteps: 2, reps: 2, repSeconds: 0.1, repSteps: 1, budgetSeconds: 10 };

export interface Rep {
  steps: number;
  seconds: number;
  /** Process CPU seconds (user + system) over the rep: below `seconds` means the process waited for a core. */
  cpuSeconds: number;
}

export interface Timing {
  warmupSteps: number;
  warmupSeconds: number;
  reps: Rep[];
  /** True when the budget ended the measurement before every rep was complete. */
  cutShort: boolean;
}

/**
 * Counts steps and closes warm-up and reps. Reading the clock costs ~50 ns, a measurable share of a
 * 5 µs step, so it is read every `stride` steps, and the stride doubles while reads are under 0.5 ms apart.
 */
export class StepClock {
  private readonly start = performance.now();
  private phaseStart = this.start;
  private phaseCpu = process.cpuUsage();
  private phaseSteps = 0;
  private warm = false;
  private stride = 1;
  private sinceRead = 0;
  private lastRead = this.start;
  private readonly timing: Timing = { warmupSteps: 0, warmupSeconds: 0, reps: [], cutShort: false };

  constructor(private readonly protocol: Protocol) {
    if (protocol.warmupSteps <= 0 && protocol.warmupSeconds <= 0) this.warm = true;
  }

  /** Call after every step; false once the measurement is complete (stop stepping). */
  afterStep(): boolean {
    this.phaseSteps++;
    if (++this.sinceRead < this.stride) return true;
    this.sinceRead = 0;
    const now = performance.now();
    if (now - this.lastRead < 0.5 && this.stride < 1 << 16) this.stride *= 2;
    this.lastRead = now;
    const p = this.protocol;
    const elapsed = (now - this.phaseStart) / 1000;
    if (!this.warm) {
      if (elapsed >= p.warmupSeconds && this.phaseSteps >= p.warmupSteps) {
        this.timing.warmupSteps = this.phaseSteps;
        this.timing.warmupSeconds = elapsed;
        this.warm = true;
        this.newPhase(now);
      }
    } else if (elapsed >= p.repSeconds && this.phaseSteps >= p.repSteps) {
      this.closeRep(now);
      if (this.timing.reps.length >= p.reps) return false;
    }
    if (p.budgetSeconds > 0 && (now - this.start) / 1000 > p.budgetSeconds) {
      // Keep a partial rep only when no full one exists: some number beats none.
      if (this.timing.reps.length === 0) {
        if (!this.warm) { this.warm = true; this.newPhase(now); return true; }
        // The warm-up ended on this very step: time one more.
        if (this.phaseSteps === 0) return true;
        this.closeRep(now);
      }
      this.timing.cutShort = true;
      return false;
    }
    return true;
  }

  result(): Timing {
    return this.timing;
  }

  private closeRep(now: number): void {
    const cpu = process.cpuUsage(this.phaseCpu);
    this.timing.reps.push({ steps: this.phaseSteps, seconds: (now - this.phaseStart) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
    this.newPhase(now);
  }

  private newPhase(now: number): void {
    this.phaseStart = now;
    this.phaseCpu = process.cpuUsage();
    this.phaseSteps = 0;
    // Re-learn the stride per phase: a rep boundary must not wait for a huge stride from the warm-up.
    this.stride = Math.max(1, this.stride >> 2);
    this.sinceRead = 0;
  }
}

/** Runs a synchronous step under the protocol (no promise per step: that would tax tiny models). */
export function measureSync(step: () => void, protocol: Protocol): Timing {
  const clock = new StepClock(protocol);
  do step(); while (clock.afterStep());
  return clock.result();
}

/** Runs a step that returns a promise (tfjs' trainOnBatch), awaiting each one. */
export async function measureAsync(step: () => Promise<unknown>, protocol: Protocol): Promise<Timing> {
  const clock = new StepClock(protocol);
  do await step(); while (clock.afterStep());
  return clock.result();
}

/**
 * Keras' progress bar (`keras/src/utils/progbar.py`) as a deterministic formatter: the clock (`now`) and
 * the sink (`write`) are injected, so tests check exact strings.
 *
 * Layouts, for `target = 100`:
 * - TTY, `verbose: 1`, redrawn in place (`\r`, then erase-to-end-of-line), at most every `interval` s:
 *   ` 37/100 ━━━━━━━━━━━━━━━━━━━━ 1s 4ms/step - loss: 0.1234` (bold counter, green done part, grey rest,
 *   ETA while running; elapsed seconds and a newline at `finalize`).
 * - Non-TTY, `verbose: 1` (CI logs, pipes): nothing per step, one plain line at `finalize` with no `\r` and
 *   no ANSI codes: `100/100 ━━━━━━━━━━━━━━━━━━━━ 2s 4ms/step - loss: 0.1234 - val_loss: 0.2345`.
 * - `verbose: 2`: one line at `finalize`: `100/100 - 2s - 4ms/step - loss: 0.1234`.
 *
 * Values are displayed as given: the training loop already passes running epoch averages.
 * Divergence from Keras: Keras re-averages the (already averaged) batch logs between redraws and formats
 * negative values as `%.4e` in verbose 2; we show the values as passed and use `|v| > 1e-3` everywhere.
 */
import { pyExp, pyFixed } from '../callbacks/python-format';

/** Values shown after the bar, by name: `{ loss: 0.1234 }`. */
export type ProgbarValues = Readonly<Record<string, number>>;

/** Options of {@link Progbar} (Keras 3 `keras.utils.Progbar`'s arguments, with the sink and clock injected). */
export interface ProgbarOptions {
  /** Total number of steps, or null when unknown (the bar then shows `current/Unknown`). */
  target: number | null;
  /** Bar width in characters. Default 20. */
  width?: number;
  /** 0 silent, 1 live bar, 2 one line at finalize. Default 1. */
  verbose?: 0 | 1 | 2;
  /** Minimum seconds between two TTY redraws. Default 0.05 (Keras). */
  interval?: number;
  /** Redraw in place with ANSI colors; otherwise print one plain line at finalize. */
  isTty: boolean;
  /** Receives the raw output, newlines included. */
  write: (s: string) => void;
  /** Clock in seconds. Default `performance.now() / 1000`. */
  now?: () => number;
  /** Display name of a step. Default 'step'. */
  unitName?: string;
}

const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';
const GREEN = '\x1b[32m';
const GREY = '\x1b[37m';
const ERASE_TO_EOL = '\x1b[K';
const BAR_CHAR = '━';

/** Keras' metric value format: `%.4f` above 1e-3 in magnitude, else `%.4e`. */
export function formatLogValue(v: number): string {
  return Math.abs(v) > 1e-3 ? pyFixed(v, 4) : pyExp(v, 4);
}

/** Keras' `_format_time`: ` 2s/step`, ` 4ms/step`, ` 120us/step` (with the leading space). */
export function formatTimePerUnit(seconds: number, unitName = 'step'): string {
  if (seconds >= 1 || seconds === 0) return ` ${pyFixed(seconds, 0)}s/${unitName}`;
  if (seconds >= 1e-3) return ` ${pyFixed(seconds * 1000, 0)}ms/${unitName}`;
  return ` ${pyFixed(seconds * 1e6, 0)}us/${unitName}`;
}

/** Keras' ETA: `45s`, `2:05` above a minute, `1:02:03` above an hour (whole seconds, truncated). */
export function formatEta(seconds: number): string {
  const two = (n: number) => String(Math.trunc(n)).padStart(2, '0');
  if (seconds > 3600) return `${Math.floor(seconds / 3600)}:${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
  if (seconds > 60) return `${Math.floor(seconds / 60)}:${two(seconds % 60)}`;
  return `${Math.trunc(seconds)}s`;
}

/**
 * Keras' progress bar (Keras 3 `keras.utils.Progbar`): `update(current, values)` redraws it or prints the final line.
 */
export class Progbar {
  /** Mutable: ProgbarLogger sets it once an iterable's length is known. */
  target: number | null;
  readonly width: number;
  readonly verbose: 0 | 1 | 2;
  readonly interval: number;
  readonly isTty: boolean;
  readonly unitName: string;
  private readonly write: (s: string) => void;
  private readonly now: () => number;
  private readonly values = new Map<string, number>();
  private readonly start: number;
  private lastUpdate = -Infinity;
  private timeAfterFirstStep: number | null = null;

  constructor(options: ProgbarOptions) {
    const { target, width = 20, verbose = 1, interval = 0.05, isTty, write, now = defaultNow, unitName = 'step' } = options;
    if (target !== null && !(Number.isInteger(target) && target >= 0)) throw new Error(`Progbar: target must be a non-negative integer or null, got ${target}`);
    if (!(Number.isInteger(width) && width > 0)) throw new Error(`Progbar: width must be a positive integer, got ${width}`);
    if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new Error(`Progbar: verbose must be 0, 1 or 2, got ${String(verbose)}`);
    this.target = target;
    this.width = width;
    this.verbose = verbose;
    this.interval = interval;
    this.isTty = isTty;
    this.unitName = unitName;
    this.write = write;
    this.now = now;
    this.start = now();
  }

  /**
   * Records `values` (displayed as given, in first-seen key order) and redraws when due.
   * `finalize` defaults to `current >= target`; a finalized update always prints.
   */
  update(current: number, values: ProgbarValues = {}, finalize?: boolean): void {
    const isFinal = finalize ?? (this.target !== null && current >= this.target);
    for (const key of Object.keys(values)) this.values.set(key, values[key]!);
    const now = this.now();
    // Estimated on every call (not only on redraws) so the first, slow step is excluded as in Keras.
    const timePerUnit = this.estimateStepDuration(current, now);

    if (this.verbose === 1 && (this.isTty || isFinal)) {
      if (!isFinal && now - this.lastUpdate < this.interval) return;
      const line = this.formatLine(current, now, timePerUnit, isFinal, this.isTty);
      this.write(this.isTty ? `\r${line}${ERASE_TO_EOL}${isFinal ? '\n' : ''}` : `${line}\n`);
    } else if (this.verbose === 2 && isFinal && this.target !== null && this.target > 0) {
      const count = `${String(current).padStart(String(this.target).length)}/${this.target}`;
      this.write(`${count} - ${pyFixed(now - this.start, 0)}s -${formatTimePerUnit(timePerUnit, this.unitName)}${this.formatValues()}\n`);
    }
    this.lastUpdate = now;
  }

  private formatLine(current: number, now: number, timePerUnit: number, isFinal: boolean, ansi: boolean): string {
    const style = (code: string, s: string) => (ansi ? `${code}${s}${RESET}` : s);
    const target = this.target;
    let bar: string;
    if (target !== null && target > 0) {
      bar = style(BOLD, `${String(current).padStart(String(target).length)}/${target}`) + ' ';
      const done = Math.min(this.width, Math.max(0, Math.floor(this.width * (current / target))));
      if (done > 0) bar += style(GREEN, BAR_CHAR.repeat(done));
      bar += style(GREY, BAR_CHAR.repeat(this.width - done));
    } else {
      bar = `${String(current).padStart(7)}/Unknown`;
    }
    const clock = target !== null && target > 0 && !isFinal
      ? formatEta(timePerUnit * (target - current))
      : `${pyFixed(now - this.start, 0)}s`;
    return `${bar} ${style(BOLD, clock)}${formatTimePerUnit(timePerUnit, this.unitName)}${this.formatValues()}`;
  }

  private formatValues(): string {
    let s = '';
    for (const [key, v] of this.values) s += ` - ${key}: ${formatLogValue(v)}`;
    return s;
  }

  /** Keras' `_estimate_step_duration`: after step 1, time per step excludes the first (warm-up) step. */
  private estimateStepDuration(current: number, now: number): number {
    if (!current) return 0;
    const perUnit = this.timeAfterFirstStep !== null && current > 1
      ? (now - this.timeAfterFirstStep) / (current - 1)
      : (now - this.start) / current;
    if (current === 1) this.timeAfterFirstStep = now;
    return perUnit;
  }
}

function defaultNow(): number {
  return performance.now() / 1000;
}

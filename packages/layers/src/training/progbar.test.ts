import { describe, expect, it } from 'vitest';
import { Progbar, formatEta, formatLogValue, formatTimePerUnit } from './progbar';

const B = '\x1b[1m', R = '\x1b[0m', G = '\x1b[32m', W = '\x1b[37m', EOL = '\x1b[K';
const bar = (done: number, width = 20) => (done > 0 ? `${G}${'━'.repeat(done)}${R}` : '') + `${W}${'━'.repeat(width - done)}${R}`;

/** A Progbar on a fake clock whose output is collected. */
function harness(options: { target: number | null; isTty: boolean; verbose?: 0 | 1 | 2; width?: number }) {
  let t = 0;
  const out: string[] = [];
  const progbar = new Progbar({ ...options, write: (s) => out.push(s), now: () => t });
  return { progbar, out, at: (seconds: number) => { t = seconds; } };
}

describe('Progbar on a TTY (verbose 1)', () => {
  it('redraws in place with Keras layout, ETA while running, elapsed and a newline at finalize', () => {
    const { progbar, out, at } = harness({ target: 10, isTty: true });
    // Step 1 at t=2: time/step = 2/1 = 2 s; ETA = 2 * (10 - 1) = 18 s; bar floor(20 * 1/10) = 2 cells.
    at(2); progbar.update(1, { loss: 0.5 });
    // Step 5 at t=10: the first step is excluded, (10 - 2) / (5 - 1) = 2 s/step; ETA 2 * 5 = 10 s; 10 cells.
    at(10); progbar.update(5, { loss: 0.25 });
    // Finalize at t=20: (20 - 2) / 9 = 2 s/step; elapsed 20 s; new key val_loss appended after loss.
    at(20); progbar.update(10, { loss: 0.25, val_loss: 0.3 }, true);
    expect(out).toEqual([
      `\r${B} 1/10${R} ${bar(2)} ${B}18s${R} 2s/step - loss: 0.5000${EOL}`,
      `\r${B} 5/10${R} ${bar(10)} ${B}10s${R} 2s/step - loss: 0.2500${EOL}`,
      `\r${B}10/10${R} ${bar(20)} ${B}20s${R} 2s/step - loss: 0.2500 - val_loss: 0.3000${EOL}\n`,
    ]);
  });

  it('throttles redraws to one per 0.05 s but always prints the final one', () => {
    const { progbar, out, at } = harness({ target: 100, isTty: true });
    at(0.01); progbar.update(1, { loss: 1 });
    at(0.03); progbar.update(2, { loss: 1 }); // 0.02 s after the last draw: skipped
    at(0.05); progbar.update(3, { loss: 1 }); // 0.04 s: skipped
    at(0.07); progbar.update(4, { loss: 1 }); // 0.06 s: drawn
    at(0.08); progbar.update(100, { loss: 1 }); // finalize (current >= target) is never throttled
    expect(out).toHaveLength(3);
    expect(out[1]).toContain(`  4/100`);
    // (0.08 - 0.01) / 99 s/step = 0.707 ms -> Keras prints microseconds: 707us/step.
    expect(out[2]).toBe(`\r${B}100/100${R} ${bar(20)} ${B}0s${R} 707us/step - loss: 1.0000${EOL}\n`);
  });

  it('shows current/Unknown with elapsed time when the target is unknown', () => {
    const { progbar, out, at } = harness({ target: null, isTty: true });
    at(6); progbar.update(3, { loss: 0.1 });
    // time/step = 6 / 3 = 2 s; '%7d/Unknown' pads the count to 7 columns.
    expect(out).toEqual([`\r      3/Unknown ${B}6s${R} 2s/step - loss: 0.1000${EOL}`]);
  });

  it('formats long ETAs as m:ss and h:mm:ss', () => {
    const { progbar, out, at } = harness({ target: 1000, isTty: true });
    // 5 s/step, 999 steps left: 4995 s = 1 h 23 min 15 s.
    at(5); progbar.update(1);
    expect(out[0]).toBe(`\r${B}   1/1000${R} ${bar(0)} ${B}1:23:15${R} 5s/step${EOL}`);
  });
});

describe('Progbar off a TTY (verbose 1)', () => {
  it('prints nothing per step and one clean line at finalize, with no \\r or ANSI codes', () => {
    const { progbar, out, at } = harness({ target: 10, isTty: false });
    at(2); progbar.update(1, { loss: 0.5 });
    at(10); progbar.update(5, { loss: 0.25 });
    expect(out).toEqual([]);
    at(20); progbar.update(10, { loss: 0.25, val_loss: 0.3 }, true);
    expect(out).toEqual([`10/10 ━━━━━━━━━━━━━━━━━━━━ 20s 2s/step - loss: 0.2500 - val_loss: 0.3000\n`]);
    expect(out.join('')).not.toMatch(/[\r\x1b]/);
  });
});

describe('Progbar verbose 2', () => {
  it('prints one line per epoch: count - elapsed - time/step - metrics', () => {
    const { progbar, out, at } = harness({ target: 100, isTty: true, verbose: 2 });
    at(1); progbar.update(50, { loss: 0.9 });
    expect(out).toEqual([]);
    // No step-1 sample: (0.4 - 0) / 100 = 4 ms/step; elapsed round(0.4) = 0 s.
    at(0.4); progbar.update(100, { loss: 0.1234, accuracy: 0.98765, val_loss: 0.00012 }, true);
    expect(out).toEqual(['100/100 - 0s - 4ms/step - loss: 0.1234 - accuracy: 0.9877 - val_loss: 1.2000e-04\n']);
  });

  it('is silent with verbose 0', () => {
    const { progbar, out, at } = harness({ target: 3, isTty: true, verbose: 0 });
    at(1); progbar.update(3, { loss: 1 }, true);
    expect(out).toEqual([]);
  });
});

describe('Progbar formatting helpers', () => {
  it.each([
    [0, ' 0s/step'],
    [1, ' 1s/step'],
    [2.5, ' 2s/step'], // Python rounds the tie 2.5 to even
    [0.004, ' 4ms/step'],
    [0.001, ' 1ms/step'],
    [0.9999, ' 1000ms/step'], // 999.9 ms rounds up, still below 1 s
    [0.00012, ' 120us/step'],
    [0.0009994, ' 999us/step'],
  ])('time per step %s s -> "%s"', (seconds, expected) => {
    expect(formatTimePerUnit(seconds)).toBe(expected);
  });

  it.each([
    [0.4, '0s'],
    [59.9, '59s'],
    [60, '60s'],
    [61, '1:01'],
    [3600, '60:00'],
    [3661, '1:01:01'],
    [7322.5, '2:02:02'],
  ])('ETA %s s -> %s', (seconds, expected) => {
    expect(formatEta(seconds)).toBe(expected);
  });

  it.each([
    [0.5, '0.5000'],
    [-0.25, '-0.2500'],
    [0.0011, '0.0011'],
    [0.001, '1.0000e-03'], // not > 1e-3
    [0, '0.0000e+00'],
    [1.5e-4, '1.5000e-04'],
    [NaN, 'nan'],
  ])('value %s -> %s', (v, expected) => {
    expect(formatLogValue(v)).toBe(expected);
  });

  it('rejects bad construction arguments', () => {
    expect(() => new Progbar({ target: -1, isTty: false, write: () => {} })).toThrow('Progbar: target must be a non-negative integer or null, got -1');
    expect(() => new Progbar({ target: 5, width: 0, isTty: false, write: () => {} })).toThrow(/width must be a positive integer/);
  });
});

import { describe, expect, it } from 'vitest';
import { formatTemplate, pyExp, pyFixed, pyRepr } from './python-format';

// Every expected string below was printed by CPython 3 (`format(x, spec)`, `repr(x)`, `str.format`).
describe('pyFixed', () => {
  it.each([
    [0.5, 4, '0.5000'],
    [-0.25, 4, '-0.2500'],
    [12345.678, 4, '12345.6780'],
    // Exact binary ties go to even in Python; JS toFixed would give '0.0313', '3' and '0.38'.
    [0.03125, 4, '0.0312'],
    [2.5, 0, '2'],
    [3.5, 0, '4'],
    [0.5, 0, '0'],
    [1.5, 0, '2'],
    [0.125, 2, '0.12'],
    [0.375, 2, '0.38'],
    // Not ties: the doubles nearest 1.00005 and 2.00005 lie above and below the midpoint.
    [1.00005, 4, '1.0001'],
    [2.00005, 4, '2.0000'],
    [-1e-5, 4, '-0.0000'],
    [-0, 4, '-0.0000'],
    [1e22, 2, '10000000000000000000000.00'],
    [NaN, 4, 'nan'],
    [Infinity, 5, 'inf'],
    [-Infinity, 5, '-inf'],
  ])('format(%s, ".%sf") == %s', (x, d, expected) => {
    expect(pyFixed(x, d)).toBe(expected);
  });
});

describe('pyExp', () => {
  it.each([
    [0.5, 4, '5.0000e-01'],
    [0.001, 4, '1.0000e-03'],
    [1.5e-4, 4, '1.5000e-04'],
    [0, 4, '0.0000e+00'],
    [1e-10, 4, '1.0000e-10'],
    [-1e-5, 4, '-1.0000e-05'],
    [12345.678, 4, '1.2346e+04'],
    // 2^-12 = 0.000244140625 exactly: '2.44140625' rounded at 4 decimals is no tie ('2.4414').
    [2 ** -12, 4, '2.4414e-04'],
    // 2^-13 = 1.220703125e-04 exactly, '1.2207|03125' -> 1.2207.
    [2 ** -13, 4, '1.2207e-04'],
    // 0.15625 = 1.5625e-01 exactly: a tie at 3 decimals, to even -> 1.562.
    [0.15625, 3, '1.562e-01'],
    [-Infinity, 4, '-inf'],
  ])('format(%s, ".%se") == %s', (x, d, expected) => {
    expect(pyExp(x, d)).toBe(expected);
  });
});

describe('pyRepr', () => {
  it.each([
    [0.5, '0.5'],
    [1, '1.0'],
    [0, '0.0'],
    [-0, '-0.0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [0.0001, '0.0001'],
    [1e-5, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [1e22, '1e+22'],
    [123456789012345678, '1.2345678901234568e+17'],
    [-12345.678, '-12345.678'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
  ])('repr(%s) == %s', (x, expected) => {
    expect(pyRepr(x)).toBe(expected);
  });
});

describe('formatTemplate', () => {
  const ints = new Set(['epoch', 'batch']);
  it('fills Keras checkpoint fields like str.format', () => {
    expect(formatTemplate('T', '{epoch:02d}-{val_loss:.2f}', { epoch: 3, val_loss: 0.41999 }, ints)).toBe('03-0.42');
    expect(formatTemplate('T', '{epoch}-{loss}', { epoch: 3, loss: 0.5 }, ints)).toBe('3-0.5');
    expect(formatTemplate('T', '{a:.3e}', { a: 12345 })).toBe('1.234e+04');
    expect(formatTemplate('T', '{e:5d}|{x:08.3f}', { e: 7, x: -3.14159 }, new Set(['e']))).toBe('    7|-003.142');
    expect(formatTemplate('T', 'ckpt{{x}}/{epoch}', { epoch: 1 }, ints)).toBe('ckpt{x}/1');
    expect(formatTemplate('T', 'plain/path', {})).toBe('plain/path');
  });

  it('names the missing key and the available ones', () => {
    expect(() => formatTemplate('ModelCheckpoint', 'm-{val_acc:.2f}', { epoch: 1, loss: 0.3 })).toThrow(
      `ModelCheckpoint: failed to format filepath "m-{val_acc:.2f}": no value for '{val_acc}'. Available keys: epoch, loss`,
    );
  });

  it('rejects unsupported specs and non-integers for d', () => {
    expect(() => formatTemplate('T', '{loss:>10s}', { loss: 1 })).toThrow(/unsupported format spec '\{loss:>10s\}'/);
    expect(() => formatTemplate('T', '{loss:d}', { loss: 0.5 })).toThrow(/needs an integer, got 0.5/);
  });
});

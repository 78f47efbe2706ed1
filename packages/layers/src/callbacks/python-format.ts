/**
 * Python's number formatting, so progress lines, CSV logs and checkpoint paths read exactly as Keras
 * prints them: `format(x, '.4f')`, `format(x, '.4e')`, `repr(x)` and `str.format` templates such as
 * `'{epoch:02d}-{val_loss:.2f}'`.
 *
 * JS `toFixed`/`toExponential` are correctly rounded except on exact ties, which they break away from
 * zero while Python breaks them to even (`format(2.5, '.0f') == '2'`, `(2.5).toFixed(0) == '3'`). An
 * exact tie is detected on the value's exact decimal expansion (`toFixed(100)` is exact for every double
 * above about 1e-30, far below anything we format).
 */

function nonFinite(x: number): string {
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
}

function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

/** `tail` is the exact digits after the last kept one: a tie is `5` followed only by zeros. */
function isTie(tail: string): boolean {
  return /^50*$/.test(tail);
}

function isEvenDigit(s: string): boolean {
  return Number(s[s.length - 1]) % 2 === 0;
}

/** Python's `format(x, '.{digits}f')`. */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const a = Math.abs(x);
  if (a >= 1e21) return signOf(x) + BigInt(a).toString() + (digits > 0 ? '.' + '0'.repeat(digits) : '');
  const exact = a.toFixed(100);
  const [intPart, frac] = exact.split('.') as [string, string];
  const truncated = digits > 0 ? `${intPart}.${frac.slice(0, digits)}` : intPart;
  const body = isTie(frac.slice(digits)) && isEvenDigit(truncated) ? truncated : a.toFixed(digits);
  return signOf(x) + body;
}

/** Python's exponent: sign and at least two digits (`e-05`, `e+16`). */
function pyExponent(e: string): string {
  const n = Number(e);
  return `e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

/** Python's `format(x, '.{digits}e')`, e.g. `1.2340e-04`. */
export function pyExp(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const a = Math.abs(x);
  const [exactMantissa, exactExp] = a.toExponential(100).split('e') as [string, string];
  const [lead, frac] = exactMantissa.split('.') as [string, string];
  const truncated = digits > 0 ? `${lead}.${frac.slice(0, digits)}` : lead;
  let mantissa: string, exp: string;
  if (isTie(frac.slice(digits)) && isEvenDigit(truncated)) {
    mantissa = truncated;
    exp = exactExp;
  } else {
    [mantissa, exp] = a.toExponential(digits).split('e') as [string, string];
  }
  return signOf(x) + mantissa + pyExponent(exp);
}

/** Python's `repr(float)`: shortest round-trip digits, fixed notation for exponents -4..15, else `1e-05`. */
export function pyRepr(x: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  if (x === 0) return signOf(x) + '0.0';
  const [m, e] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = m.replace('.', '');
  const exp = Number(e);
  let body: string;
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      body = `${intPart}.${digits.slice(exp + 1) || '0'}`;
    } else {
      body = `0.${'0'.repeat(-exp - 1)}${digits}`;
    }
  } else {
    body = (digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits) + pyExponent(e);
  }
  return signOf(x) + body;
}

/** Python's `str(int)` for integers and `repr(float)` for the rest. */
function pyStr(x: number, isInt: boolean): string {
  return isInt && Number.isInteger(x) ? String(x) : pyRepr(x);
}

/**
 * Formats one `{name:spec}` field: `[0][width][.precision][type]` with type `d`, `f`, `e` or none,
 * the subset of Python's format mini-language that checkpoint paths use.
 */
function formatField(owner: string, name: string, value: number, isInt: boolean, spec: string): string {
  const m = /^(0)?(\d+)?(?:\.(\d+))?([dfe])?$/.exec(spec);
  if (!m) throw new Error(`${owner}: unsupported format spec '{${name}:${spec}}' (supported: [0][width][.precision][d|f|e])`);
  const [, zero, widthStr, precisionStr, type] = m;
  let body: string;
  if (type === 'd') {
    if (!Number.isInteger(value)) throw new Error(`${owner}: format '{${name}:${spec}}' needs an integer, got ${value}`);
    if (precisionStr !== undefined) throw new Error(`${owner}: precision is not allowed with integer format '{${name}:${spec}}'`);
    body = String(value);
  } else if (type === 'f' || type === 'e') {
    const p = precisionStr === undefined ? 6 : Number(precisionStr);
    body = type === 'f' ? pyFixed(value, p) : pyExp(value, p);
  } else {
    if (precisionStr !== undefined) throw new Error(`${owner}: unsupported format spec '{${name}:${spec}}': give a type (f or e) with a precision`);
    body = pyStr(value, isInt);
  }
  const width = widthStr === undefined ? 0 : Number(widthStr);
  if (body.length >= width) return body;
  if (zero) {
    // Python puts zero padding after the sign: format(-3, '03d') == '-03'.
    const sign = body.startsWith('-') ? '-' : '';
    return sign + body.slice(sign.length).padStart(width - sign.length, '0');
  }
  return body.padStart(width, ' ');
}

/**
 * Python's `template.format(**values)` for numeric fields: `'{epoch:02d}-{val_loss:.2f}'`.
 * `intKeys` are formatted as integers when a field has no type (`{epoch}` is `3`, `{loss}` is `0.5`).
 */
export function formatTemplate(owner: string, template: string, values: Readonly<Record<string, number>>, intKeys: ReadonlySet<string> = new Set()): string {
  return template.replace(/\{\{|\}\}|\{([^{}:]*)(?::([^{}]*))?\}/g, (match, name: string | undefined, spec: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    const key = name ?? '';
    const value = values[key];
    if (value === undefined) {
      throw new Error(`${owner}: failed to format filepath "${template}": no value for '{${key}}'. Available keys: ${Object.keys(values).join(', ')}`);
    }
    return formatField(owner, key, value, intKeys.has(key), spec ?? '');
  });
}

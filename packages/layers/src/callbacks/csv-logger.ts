/**
 * Streams each epoch's logs to a CSV file (Keras 3 `CSVLogger`): a header `epoch,<keys sorted>` and one
 * row per epoch, written through to the file at every epoch end so a crash loses nothing. Node only.
 *
 * Matches Python's `csv` module as Keras uses it: `\r\n` line ends (RFC 4180, Python's "excel" dialect),
 * numbers as Python prints them (`0.5`, `1e-05`, `nan`), missing keys as `NA`, fields quoted when they
 * hold the separator, a quote or a line break.
 */
import type * as fs from 'node:fs';
import { Callback } from './callback';
import type { Logs } from './callback';
import { pyRepr } from './python-format';

/** Options of {@link CSVLogger} (Keras 3 `CSVLogger`'s `separator` and `append`). */
export interface CSVLoggerOptions {
  /** Field separator. Default ','. */
  separator?: string;
  /** Append to an existing file (no second header when it already has one). Default false: overwrite. */
  append?: boolean;
}

type Fs = typeof fs;

function nodeFs(): Fs {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: 'fs') => Fs } }).process;
  const fsModule = proc?.getBuiltinModule?.('fs');
  if (!fsModule) throw new Error('CSVLogger: writing files needs Node.js (>= 20.16, for process.getBuiltinModule); use a LambdaCallback to collect logs elsewhere');
  return fsModule;
}

/** Writes each epoch's logs as a CSV row to `filename` (Keras 3 `keras.callbacks.CSVLogger`); Node only. */
export class CSVLogger extends Callback<never> {
  readonly filename: string;
  readonly separator: string;
  readonly append: boolean;
  /** Column keys after `epoch`, fixed by the first epoch's logs. */
  keys: string[] | null = null;
  private fd: number | null = null;
  private fs: Fs | null = null;
  private appendHeader = true;

  constructor(filename: string, options: CSVLoggerOptions = {}) {
    super();
    if (typeof filename !== 'string' || filename === '') throw new Error(`CSVLogger: filename must be a non-empty string, got ${JSON.stringify(filename)}`);
    const { separator = ',', append = false } = options;
    if (typeof separator !== 'string' || separator.length !== 1) throw new Error(`CSVLogger: separator must be a single character, got ${JSON.stringify(separator)}`);
    this.filename = filename;
    this.separator = separator;
    this.append = append;
  }

  override onTrainBegin(_logs?: Logs): void {
    const fsm = (this.fs ??= nodeFs());
    this.close();
    if (this.append) {
      // Keras writes the header only when the file is missing or empty.
      this.appendHeader = !(fsm.existsSync(this.filename) && fsm.statSync(this.filename).size > 0);
    } else {
      this.appendHeader = true;
    }
    try {
      this.fd = fsm.openSync(this.filename, this.append ? 'a' : 'w');
    } catch (e) {
      throw new Error(`CSVLogger: cannot open '${this.filename}' for writing: ${(e as Error).message}`);
    }
    this.keys = null;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    if (this.fd === null || this.fs === null) throw new Error('CSVLogger: onEpochEnd before onTrainBegin; pass the callback to fit({ callbacks })');
    let out = '';
    if (this.keys === null) {
      this.keys = Object.keys(logs).sort();
      if (this.appendHeader) out += this.row(['epoch', ...this.keys]);
    }
    out += this.row([String(epoch), ...this.keys.map((k) => (logs[k] === undefined ? 'NA' : pyRepr(logs[k]!)))]);
    // writeSync hands the bytes to the OS at once: Keras' per-epoch flush.
    this.fs.writeSync(this.fd, out);
  }

  override onTrainEnd(_logs?: Logs): void {
    this.close();
  }

  private row(fields: string[]): string {
    return fields.map((f) => this.quote(f)).join(this.separator) + '\r\n';
  }

  private quote(field: string): string {
    if (!field.includes(this.separator) && !/["\r\n]/.test(field)) return field;
    return `"${field.replace(/"/g, '""')}"`;
  }

  private close(): void {
    if (this.fd !== null && this.fs !== null) this.fs.closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Keeps docs/losses.md and docs/metrics.md honest: every ```ts block runs against this package, and a line
 * `console.log(a, b); // value` checks that the logged values, JSON-formatted and joined by spaces, equal
 * `value` (whitespace ignored).
 */
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as tensor from '@minikeras/tensor';
import * as losses from './index';

const DOCS = ['../../../docs/losses.md', '../../../docs/metrics.md'];
const VALUE_COMMENT = /^(\[|\{|"|-?\d|true\b|false\b|null\b)/;

function blocks(markdown: string): { code: string; line: number }[] {
  const out: { code: string; line: number }[] = [];
  const re = /^```ts\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    out.push({ code: m[1]!, line: markdown.slice(0, m.index).split('\n').length });
  }
  return out;
}

function instrument(code: string): string {
  return code.split('\n').map((line) => {
    const m = /^(\s*)console\.log\((.*)\);\s*\/\/\s*(.+)$/.exec(line);
    if (m && VALUE_COMMENT.test(m[3]!)) return `${m[1]}__check(${JSON.stringify(m[3])}, ${m[2]});`;
    if (/console\.log\(/.test(line)) throw new Error(`docs: console.log without an expected value: ${line.trim()}`);
    return line;
  }).join('\n');
}

function run(code: string): number {
  const js = transformSync(instrument(code), { loader: 'ts', format: 'cjs', target: 'es2022' }).code;
  const modules: Record<string, unknown> = { '@minikeras/losses': losses, '@minikeras/tensor': tensor };
  const require = (name: string) => {
    if (!(name in modules)) throw new Error(`docs snippet imports unknown module '${name}'`);
    return modules[name];
  };
  let checks = 0;
  const check = (expected: string, ...values: unknown[]) => {
    checks++;
    const got = values.map((v) => JSON.stringify(v)).join(' ');
    expect(got.replace(/\s/g, ''), `console.log printed ${got}`).toBe(expected.replace(/\s/g, ''));
  };
  new Function('require', 'exports', 'module', '__check', js)(require, {}, { exports: {} }, check);
  return checks;
}

for (const doc of DOCS) {
  const markdown = readFileSync(new URL(doc, import.meta.url), 'utf8');
  describe(doc.replace(/^(\.\.\/)+/, ''), () => {
    const found = blocks(markdown);
    it('has runnable examples', () => expect(found.length).toBeGreaterThan(0));
    for (const { code, line } of found) {
      it(`the example at line ${line} runs and prints what it says`, () => {
        expect(run(code)).toBeGreaterThan(0);
      });
    }
  });
}

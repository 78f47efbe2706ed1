/**
 * Keeps docs/tensor.md, docs/autograd.md and this package's README honest: every ```ts block runs (imports of 'minikeras' resolve to
 * this package), and a line `console.log(a, b); // value` checks that the logged values, JSON-formatted and
 * joined by spaces, equal `value` (whitespace ignored). Blocks tagged `ts no-run` are excerpts, not programs.
 */
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as testUtils from '@minikeras/test-utils';
import * as mk from './index';

const DOCS = ['../../../docs/tensor.md', '../../../docs/autograd.md', '../README.md'];
const VALUE_COMMENT = /^(\[|"|-?\d|true\b|false\b|null\b)/;

function blocks(markdown: string): { code: string; line: number }[] {
  const out: { code: string; line: number }[] = [];
  const re = /^```ts\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    out.push({ code: m[1]!, line: markdown.slice(0, m.index).split('\n').length });
  }
  return out;
}

/** Turns `console.log(args); // value` into a checked call and silences the other logs. */
function instrument(code: string): string {
  return code.split('\n').map((line) => {
    const m = /^(\s*)console\.log\((.*)\);\s*\/\/\s*(.+)$/.exec(line);
    if (m && VALUE_COMMENT.test(m[3]!)) return `${m[1]}__check(${JSON.stringify(m[3])}, ${m[2]});`;
    return line.replace(/console\.log\(/g, '__log(');
  }).join('\n');
}

const format = (v: unknown) => JSON.stringify(v);

function run(code: string): void {
  const js = transformSync(instrument(code), { loader: 'ts', format: 'cjs', target: 'es2022' }).code;
  const modules: Record<string, unknown> = { minikeras: mk, '@minikeras/tensor': mk, '@minikeras/test-utils': testUtils };
  const require = (name: string) => {
    if (!(name in modules)) throw new Error(`docs snippet imports unknown module '${name}'`);
    return modules[name];
  };
  const check = (expected: string, ...values: unknown[]) => {
    const got = values.map(format).join(' ');
    expect(got.replace(/\s/g, ''), `console.log printed ${got}`).toBe(expected.replace(/\s/g, ''));
  };
  new Function('require', 'exports', 'module', '__check', '__log', js)(require, {}, { exports: {} }, check, () => {});
}

for (const doc of DOCS) {
  const markdown = readFileSync(new URL(doc, import.meta.url), 'utf8');
  describe(doc.replace(/^(\.\.\/)+/, ''), () => {
    const found = blocks(markdown);
    it('has runnable examples', () => expect(found.length).toBeGreaterThan(0));
    for (const { code, line } of found) {
      it(`the example at line ${line} runs and prints what it says`, () => {
        mk.setSeed(1);
        run(code);
      });
    }
  });
}

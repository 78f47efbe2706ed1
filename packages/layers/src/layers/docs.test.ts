/**
 * Keeps docs/layers.md honest: every ```ts block runs, with `import ... from 'minikeras'` resolved to the tensor
 * and layers packages, and a line `console.log(a, b); // value` checks that the logged values, JSON-formatted and
 * joined by spaces, equal `value` (whitespace ignored). Blocks tagged `ts no-run` are excerpts, not programs.
 */
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as tensorPackage from '@minikeras/tensor';
import * as layersPackage from '../index';
import * as coreLayers from './index';
import { Conv2D } from './conv2d';
import { AveragePooling2D, MaxPooling2D } from './pooling';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from './global-pooling';
import { BatchNormalization } from './batch-normalization';
import { LayerNormalization } from './layer-normalization';
import { Embedding } from './embedding';
import { clearSession } from '../layer';

// The layers of this folder are listed explicitly so the docs run whether or not layers/index.ts exports them yet.
const layers = {
  ...coreLayers, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D,
  BatchNormalization, LayerNormalization, Embedding,
};
const minikeras = { ...tensorPackage, ...layersPackage, layers };
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

function run(code: string): number {
  const instrumented = instrument(code);
  const js = transformSync(instrumented, { loader: 'ts', format: 'cjs', target: 'es2022' }).code;
  const require = (name: string) => {
    if (name !== 'minikeras') throw new Error(`docs snippet imports unknown module '${name}'`);
    return minikeras;
  };
  let checks = 0;
  const check = (expected: string, ...values: unknown[]) => {
    checks++;
    const got = values.map((v) => JSON.stringify(v)).join(' ');
    expect(got.replace(/\s/g, ''), `console.log printed ${got}`).toBe(expected.replace(/\s/g, ''));
  };
  new Function('require', 'exports', 'module', '__check', '__log', js)(require, {}, { exports: {} }, check, () => {});
  return checks;
}

const markdown = readFileSync(new URL('../../../../docs/layers.md', import.meta.url), 'utf8');

describe('docs/layers.md', () => {
  const found = blocks(markdown);
  it('has runnable examples', () => expect(found.length).toBeGreaterThan(8));
  for (const { code, line } of found) {
    it(`the example at line ${line} runs and prints what it says`, () => {
      clearSession();
      tensorPackage.setSeed(1);
      expect(run(code), 'every example checks at least one printed value').toBeGreaterThan(0);
    });
  }
});

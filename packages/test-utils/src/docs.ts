/**
 * Keeps the guides honest: `describeDocs` turns every ```ts block of some markdown files into a test.
 * A block runs as an async program (top-level await allowed; `import ... from 'x'` resolves through
 * `modules`); `console.log(a, b); // value` checks that the logged values, JSON-formatted and joined by spaces,
 * equal `value` (whitespace ignored), and other logs are silenced. Blocks tagged `ts no-run` are excerpts.
 */
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';

export interface DocsOptions {
  /** Module name -> its namespace, for the blocks' imports. */
  modules: Record<string, unknown>;
  /** Names of `modules[preludeFrom]` a block may use without importing them (short excerpts do). */
  prelude?: readonly string[];
  preludeFrom?: string;
  /** Every block must check at least this many printed values. Default 0. */
  minChecks?: number;
  /** A `console.log` without an expected value is an error, not a silenced log. */
  strictLogs?: boolean;
  /** Each file must hold at least this many runnable blocks. Default 1. */
  minBlocks?: number;
  /** Runs before each block (seeding, clearing layer names). */
  beforeEach?: () => void;
  /** Receives the block's `model` variable, if it defined one. */
  after?: (model: unknown) => Promise<void> | void;
}

const VALUE_COMMENT = /^(\[|\{|"|-?\d|true\b|false\b|null\b)/;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;

export function codeBlocks(markdown: string): { code: string; line: number }[] {
  const out: { code: string; line: number }[] = [];
  const re = /^```ts\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) out.push({ code: m[1]!, line: markdown.slice(0, m.index).split('\n').length });
  return out;
}

function importedNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}/gm)) {
    for (const part of m[1]!.split(',')) { const n = part.trim().split(/\s+as\s+/).pop(); if (n) names.add(n); }
  }
  return names;
}

/** ES imports become destructuring of `__require(...)`, so the block can run inside an async function. */
function rewriteImports(code: string): string {
  return code.replace(/^import\s+(type\s+)?([^;]+?)\s+from\s+'([^']+)';?$/gm, (_all, isType: string | undefined, what: string, from: string) => {
    if (isType) return '';
    const ns = /^\*\s+as\s+(\w+)$/.exec(what.trim());
    if (ns) return `const ${ns[1]} = __require(${JSON.stringify(from)});`;
    const names = what.trim().replace(/^\{|\}$/g, '').split(',').map((s) => s.trim()).filter((s) => s && !s.startsWith('type '));
    return `const { ${names.map((n) => n.replace(/\s+as\s+/, ': ')).join(', ')} } = __require(${JSON.stringify(from)});`;
  });
}

function instrument(code: string, strictLogs: boolean): string {
  return code.split('\n').map((line) => {
    const m = /^(\s*)console\.log\((.*)\);\s*\/\/\s*(.+)$/.exec(line);
    if (m && VALUE_COMMENT.test(m[3]!)) return `${m[1]}__check(${JSON.stringify(m[3])}, ${m[2]});`;
    if (strictLogs && /console\.log\(/.test(line)) throw new Error(`docs: console.log without an expected value: ${line.trim()}`);
    return line.replace(/console\.log\(/g, '__log(');
  }).join('\n');
}

/** Runs one block; returns how many printed values it checked and its `model` variable. */
export async function runBlock(code: string, options: DocsOptions): Promise<{ checks: number; model: unknown }> {
  const imported = importedNames(code);
  const names = (options.prelude ?? []).filter((n) => !imported.has(n));
  const prelude = names.length ? `const { ${names.join(', ')} } = __require(${JSON.stringify(options.preludeFrom ?? 'minikeras')});` : '';
  // Wrapped in an async arrow so top-level await works and `model` can be handed back.
  const body = `const __main = async () => {\n${prelude}\n${instrument(rewriteImports(code), options.strictLogs ?? false)}\nreturn typeof model === 'undefined' ? undefined : model;\n};`;
  const js = `${transformSync(body, { loader: 'ts', target: 'es2022' }).code}\nreturn __main();`;
  const require = (name: string) => {
    if (!(name in options.modules)) throw new Error(`docs snippet imports unknown module '${name}'`);
    return options.modules[name];
  };
  let checks = 0;
  const check = (expected: string, ...values: unknown[]) => {
    checks++;
    const got = values.map((v) => JSON.stringify(v)).join(' ');
    expect(got.replace(/\s/g, ''), `console.log printed ${got}`).toBe(expected.replace(/\s/g, ''));
  };
  const model = await new AsyncFunction('__require', '__check', '__log', js)(require, check, () => {});
  return { checks, model };
}

/** One `describe` per markdown file, one test per runnable block. */
export function describeDocs(files: readonly URL[], options: DocsOptions): void {
  for (const file of files) {
    const markdown = readFileSync(file, 'utf8');
    describe(file.pathname.split('/').slice(-2).join('/'), () => {
      const found = codeBlocks(markdown);
      it('has runnable examples', () => expect(found.length).toBeGreaterThanOrEqual(options.minBlocks ?? 1));
      for (const { code, line } of found) {
        it(`the example at line ${line} runs and prints what it says`, async () => {
          options.beforeEach?.();
          const { checks, model } = await runBlock(code, options);
          expect(checks, 'printed values checked').toBeGreaterThanOrEqual(options.minChecks ?? 0);
          await options.after?.(model);
        });
      }
    });
  }
}

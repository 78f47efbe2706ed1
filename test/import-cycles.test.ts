/**
 * No value-carrying import cycle in packages/*\/src: with one, which module initialises first depends on which
 * one a bundle or a test happens to import first (once "minikeras vundefined"). Type-only imports are erased and
 * do not count. `node scripts/import-cycles.mjs` prints the same report.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findImportCycles, formatCycles } from '../scripts/import-cycles.mjs';

describe('import cycles', () => {
  it('packages/*/src has no value-carrying import cycle', () => {
    const groups = findImportCycles();
    expect(groups, `value-carrying import cycles:\n${formatCycles(groups)}`).toEqual([]);
  });

  describe('the checker itself, on a made-up workspace', () => {
    const root = mkdtempSync(join(tmpdir(), 'minikeras-cycles-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    };
    write('packages/a/package.json', '{ "name": "@x/a" }');
    write('packages/b/package.json', '{ "name": "@x/b" }');
    write('packages/a/src/index.ts', "export * from './one';\nexport { t } from './typed';\n");
    // one -> two -> one carries values: a cycle.
    write('packages/a/src/one.ts', "import { two } from './two';\nexport const one = () => two;\n");
    write('packages/a/src/two.ts', "import { one } from './one.js';\nexport const two = () => one;\n");
    // typed <-> types only through type-only forms: not a cycle.
    write('packages/a/src/typed.ts', "import type { U } from './untyped';\nimport { type V } from './untyped';\nexport const t = 1;\nexport type T = U | V;\n");
    write('packages/a/src/untyped.ts', "export type { T } from './typed';\nexport { type T as T2 } from './typed';\nexport type U = 1;\nexport type V = 2;\n");
    // Across packages: b/src/index -> a (package entry) -> a/src/cross -> b.
    write('packages/a/src/cross.ts', "import { b } from '@x/b';\nexport const c = b;\n");
    write('packages/a/src/index.ts', "export * from './one';\nexport { t } from './typed';\nexport { c } from './cross';\n");
    write('packages/b/src/index.ts', "import { one } from '@x/a';\nexport const b = one;\n");
    // Tests are leaves: their imports never close a cycle.
    write('packages/a/src/one.test.ts', "import { one } from './one';\n");

    it('finds value cycles (within and across packages) and ignores type-only ones', () => {
      const groups = findImportCycles(root);
      expect(groups.map((g) => g.files)).toEqual([
        ['packages/a/src/cross.ts', 'packages/a/src/index.ts', 'packages/b/src/index.ts'],
        ['packages/a/src/one.ts', 'packages/a/src/two.ts'],
      ]);
      expect(groups[1]!.cycles).toEqual([['packages/a/src/one.ts', 'packages/a/src/two.ts', 'packages/a/src/one.ts']]);
      expect(formatCycles(groups)).toContain('packages/a/src/one.ts\n    -> packages/a/src/two.ts\n    -> packages/a/src/one.ts');
    });
  });
});

// The package must bundle for a browser: no static node: import anywhere in the bundle, because
// Node-only code obtains builtins with process.getBuiltinModule inside lazily loaded modules.
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('browser bundle', () => {
  it('bundles with esbuild for the browser with no node: imports', async () => {
    const result = await build({
      entryPoints: [new URL('./index.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
      external: ['@minikeras/tensor'], // its own bundling is the tensor package's concern
    });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/\bfrom\s*["']node:/);
    expect(code).not.toMatch(/\bimport\s*\(\s*["']node:/);
    expect(code).not.toMatch(/\brequire\s*\(/);
    expect(code).toContain('DecompressionStream');
  });
});

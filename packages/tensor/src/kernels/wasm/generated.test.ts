import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_PATH, renderGeneratedModule } from '../../../scripts/build-wasm.mjs';
import { kernelBytes } from './module';

describe('kernels-wasm.generated.ts', () => {
  it('matches a fresh assembly of kernels.wat (run `pnpm --filter @minikeras/tensor build:wasm` if not)', async () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(await renderGeneratedModule());
  });

  it('decodes to a valid module exporting memory, sgemm, adamUpdate and the LSTM gate kernels', () => {
    const module = new WebAssembly.Module(kernelBytes());
    expect(WebAssembly.Module.exports(module).map((e) => e.name).sort()).toEqual(['adamUpdate', 'lstmGates', 'lstmGatesBackward', 'memory', 'sgemm']);
  });
});

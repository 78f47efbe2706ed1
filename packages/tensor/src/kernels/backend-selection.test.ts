import { describe, expect, it } from 'vitest';
import { getBackendName, wasmSimdSupported } from '../index';

describe('backend selection', () => {
  it('uses WebAssembly SIMD by default and the TypeScript kernels under MINIKERAS_BACKEND=js', () => {
    if (process.env['MINIKERAS_BACKEND'] === 'js') expect(getBackendName()).toBe('js');
    else {
      // Node 20 has SIMD128, so the default must be the WASM backend here.
      expect(wasmSimdSupported()).toBe(true);
      expect(getBackendName()).toMatch(/^wasm/);
    }
  });
});

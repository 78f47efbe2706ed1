import { describe, expect, it } from 'vitest';
import { XOR_INPUTS, trainXor } from '../src/xor';

describe('examples/xor', () => {
  it('trains the 2-8-1 model to 100% accuracy', async () => {
    const { model, accuracy, loss } = await trainXor();
    expect(accuracy).toBe(1);
    expect(loss).toBeLessThan(0.1);
    const p = Array.from(model.predict(XOR_INPUTS).dataSync(), (v) => (v > 0.5 ? 1 : 0));
    expect(p).toEqual([0, 1, 1, 0]);
  });
});

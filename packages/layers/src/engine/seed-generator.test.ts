// Per-layer seed generators: randomness that resumes and that models do not share.
import { beforeEach, describe, expect, it } from 'vitest';
import { Tensor, globalRng, randomNormal, setSeed } from '@minikeras/tensor';
import { Sequential } from '../models/sequential';
import { Dense, Dropout, Input } from '../layers';
import { clearSession } from './layer';
import { toArtifacts } from '../saving/artifacts';
import { fromArtifacts } from '../saving/load-model';

beforeEach(() => clearSession());

const bits = (t: Tensor) => Array.from(new Uint32Array(Float32Array.from(t.values).buffer));

function model(name: string): Sequential {
  const m = new Sequential({ name, layers: [Input({ shape: [4] }), new Dense(6, { activation: 'relu' }), new Dropout(0.4), new Dense(1)] });
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
}

describe('seed generators', () => {
  it('training another model between epochs does not change a model with Dropout', async () => {
    setSeed(5);
    const x = randomNormal([32, 4]), y = randomNormal([32, 1]);
    setSeed(6);
    const straight = model('a');
    await straight.fit(x, y, { epochs: 4, batchSize: 8, verbose: 0 });
    clearSession();
    setSeed(6);
    const interrupted = model('a');
    await interrupted.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const other = model('b');
    await other.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
    await interrupted.fit(x, y, { epochs: 4, initialEpoch: 2, batchSize: 8, verbose: 0 });
    expect(interrupted.getWeights().map(bits)).toEqual(straight.getWeights().map(bits));
  });

  it('loading a model draws nothing from the global stream', () => {
    setSeed(7);
    const saved = toArtifacts(model('m'));
    setSeed(8);
    const expected = globalRng().uniform();
    setSeed(8);
    fromArtifacts(saved);
    expect(globalRng().uniform()).toBe(expected);
  });

  it('a seeded Dropout draws the same masks from the same seed, and a new mask each call', () => {
    const a = new Dropout(0.5, { seed: 42 });
    const b = new Dropout(0.5, { seed: 42 });
    const x = new Tensor(new Float32Array(64).fill(1), [8, 8]);
    const first = a.apply(x, { training: true });
    expect(bits(b.apply(x, { training: true }))).toEqual(bits(first));
    expect(bits(a.apply(x, { training: true }))).not.toEqual(bits(first));
    expect(a.seedGenerators[0]!.counter).toBe(2);
    expect(() => new Dropout(0.5, { seed: -1 })).toThrow(/seed must be an integer in \[0, 2\^31\)/);
  });

  it('the state is saved in the metadata tfjs keeps, and a bad state is a clear error', () => {
    setSeed(9);
    const m = model('m');
    m.seedGenerators[0]!.next();
    const saved = toArtifacts(m);
    expect(saved.userDefinedMetadata).toEqual({ minikeras: { seedGenerators: [{ name: 'dropout/seed_generator_state', state: [m.seedGenerators[0]!.seed, 1] }] } });
    expect(fromArtifacts(saved).seedGenerators[0]!.counter).toBe(1);
    const bad = { ...saved, userDefinedMetadata: { minikeras: { seedGenerators: [{ name: 'dropout/seed_generator_state', state: [1] }] } } };
    expect(() => fromArtifacts(bad)).toThrow(/seed generator state 'dropout\/seed_generator_state' must be two integers/);
    const stray = { ...saved, userDefinedMetadata: { minikeras: { seedGenerators: [{ name: 'nope', state: [1, 2] }] } } };
    expect(() => fromArtifacts(stray)).toThrow(/'nope' belongs to no layer/);
  });
});

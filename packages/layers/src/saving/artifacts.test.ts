import { afterEach, describe, expect, it, vi } from 'vitest';
import { Tensor, setSeed } from '@minikeras/tensor';
import { Adam, SGD } from '@minikeras/optimizers';
import { Huber, LossFunctionWrapper } from '@minikeras/losses';
import { Sequential } from '../models/sequential';
import { Dense } from '../layers/dense';
import { BatchNormalization } from '../layers/batch-normalization';
import { toArtifacts } from './artifacts';
import { fromArtifacts } from './load-model';
import type { ModelArtifacts } from './artifacts';

function data(n: number, d: number, seed = 1): Tensor {
  const v = new Float32Array(n * d);
  for (let i = 0; i < v.length; i++) v[i] = Math.sin(seed * 7.1 + i * 1.37);
  return new Tensor(v, [n, d]);
}

function mlp(): Sequential {
  return new Sequential({ name: 'mlp', layers: [new Dense(5, { inputShape: [3], activation: 'relu', name: 'h' }), new BatchNormalization({ name: 'bn' }), new Dense(2, { name: 'out' })] });
}

async function trained(): Promise<Sequential> {
  setSeed(3);
  const model = mlp();
  model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'mse', metrics: ['mae'] });
  await model.fit(data(12, 3), data(12, 2, 2), { epochs: 2, batchSize: 4, verbose: 0 });
  return model;
}

function bits(t: Tensor): number[] {
  return Array.from(new Uint32Array(Float32Array.from(t.values).buffer));
}

afterEach(() => vi.restoreAllMocks());

describe('toArtifacts / fromArtifacts', () => {
  it('writes the tfjs layers-model fields and weight specs, optimizer state flagged group "optimizer"', async () => {
    const model = await trained();
    const a = toArtifacts(model);
    expect(a.format).toBe('layers-model');
    expect(a.generatedBy).toMatch(/^minikeras v/);
    expect(a.convertedBy).toBeNull();
    const specs = a.weightSpecs!;
    expect(specs.filter((s) => !s.group).map((s) => [s.name, s.shape])).toEqual([
      ['h/kernel', [3, 5]], ['h/bias', [5]], ['bn/gamma', [5]], ['bn/beta', [5]], ['bn/moving_mean', [5]], ['bn/moving_variance', [5]], ['out/kernel', [5, 2]], ['out/bias', [2]],
    ]);
    const opt = specs.filter((s) => s.group === 'optimizer');
    // iteration, then Adam's momentums for the 6 trainable weights, then its velocities (Keras' order).
    expect(opt[0]).toEqual({ name: 'iteration', shape: [], dtype: 'int32', group: 'optimizer' });
    expect(opt.slice(1).map((s) => s.name)).toEqual([
      'h_kernel_momentum', 'h_bias_momentum', 'bn_gamma_momentum', 'bn_beta_momentum', 'out_kernel_momentum', 'out_bias_momentum',
      'h_kernel_velocity', 'h_bias_velocity', 'bn_gamma_velocity', 'bn_beta_velocity', 'out_kernel_velocity', 'out_bias_velocity',
    ]);
    // 15 + 5 + 4*5 + 10 + 2 = 52 model floats; 1 + 2 * (15 + 5 + 5 + 5 + 10 + 2) = 85 optimizer values; 4 bytes each.
    expect((a.weightData as ArrayBuffer).byteLength).toBe((52 + 85) * 4);
    expect(a.trainingConfig).toEqual({
      loss: 'mean_squared_error',
      metrics: ['mae'],
      optimizer_config: { class_name: 'Adam', config: expect.objectContaining({ learning_rate: 0.01, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false }) },
    });
    // The weight data is little-endian float32: the first 4 bytes are h/kernel[0, 0].
    expect(new DataView(a.weightData as ArrayBuffer).getFloat32(0, true)).toBe(model.layers[0]!.getWeights()[0]!.values[0]);
  });

  it('round-trips weights bit for bit and returns a compiled model with the optimizer state', async () => {
    const model = await trained();
    const a = toArtifacts(model);
    // Everything but the weight buffer must survive JSON, as it does in model.json.
    const back = fromArtifacts({ ...(JSON.parse(JSON.stringify({ ...a, weightData: undefined })) as ModelArtifacts), weightData: a.weightData }) as Sequential;
    expect(back.getWeights().map(bits)).toEqual(model.getWeights().map(bits));
    const x = data(4, 3, 9);
    expect(bits(back.predict(x))).toEqual(bits(model.predict(x)));
    expect(back.isCompiled).toBe(true);
    expect(back.optimizer).toBeInstanceOf(Adam);
    expect(back.optimizer.iterations).toBe(6); // 2 epochs of 12 samples in batches of 4
    expect(back.optimizer.getConfig()).toEqual(model.optimizer.getConfig());
    expect(back.optimizer.getState().map((e) => [e.name, bits(e.value)])).toEqual(model.optimizer.getState().map((e) => [e.name, bits(e.value)]));
    expect(back.metricsNames).toEqual(['loss', 'mae']);
  });

  it('includeOptimizer: false saves weights only; { compile: false } loads uncompiled', async () => {
    const model = await trained();
    const a = toArtifacts(model, { includeOptimizer: false });
    expect(a.trainingConfig).toBeUndefined();
    expect(a.weightSpecs!.some((s) => s.group === 'optimizer')).toBe(false);
    expect((fromArtifacts(a) as Sequential).isCompiled).toBe(false);
    expect((fromArtifacts(toArtifacts(model), { compile: false }) as Sequential).isCompiled).toBe(false);
  });

  it('a configured loss is saved as Keras JSON; a plain-function loss saves the model uncompiled with a warning', async () => {
    const model = mlp();
    model.compile({ optimizer: new SGD({ learningRate: 0.1, momentum: 0.5 }), loss: new Huber({ delta: 2 }) });
    const a = toArtifacts(model);
    expect(a.trainingConfig!.loss).toMatchObject({ class_name: 'Huber', config: expect.objectContaining({ delta: 2 }) });
    const back = (fromArtifacts(a) as Sequential);
    expect((back.requireCompiled('test').loss as Huber).getConfig()).toMatchObject({ delta: 2 });
    // Never trained: only the iteration count (0) is saved, and it is restored.
    expect(back.optimizer.iterations).toBe(0);

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    model.compile({ optimizer: 'sgd', loss: new LossFunctionWrapper((t, p) => p.sub(t)) });
    const b = toArtifacts(model);
    expect(b.trainingConfig).toBeUndefined();
    expect(warn.mock.calls[0]![0]).toMatch(/saving without the optimizer and training config: .*plain function/);
  });

  it('rejects corrupt artifacts with the problem named, and warns on NaN weights', async () => {
    const model = await trained();
    const good = toArtifacts(model);
    const data8 = new Uint8Array(good.weightData as ArrayBuffer);
    expect(() => (fromArtifacts({ ...good, weightData: data8.slice(0, 100).buffer }) as Sequential)).toThrow(/truncated: weight 'bn\/beta' .* only 100 bytes/); // h/kernel, h/bias, bn/gamma fill bytes 0..100
    expect(() => (fromArtifacts({ ...good, weightData: new Uint8Array([...data8, 0, 0, 0, 0]).buffer }) as Sequential)).toThrow(/weight data has 552 bytes but the weights manifest describes 548/);
    const reshaped = good.weightSpecs!.map((s) => (s.name === 'h/kernel' ? { ...s, shape: [5, 3] } : s));
    expect(() => (fromArtifacts({ ...good, weightSpecs: reshaped }) as Sequential)).toThrow(/weight 'h\/kernel' has shape \[5, 3\] in the weights manifest, but the model config gives the layer a weight of shape \[3, 5\]/);
    const renamed = good.weightSpecs!.map((s) => (s.name === 'out/bias' ? { ...s, name: 'other/bias' } : s));
    expect(() => (fromArtifacts({ ...good, weightSpecs: renamed }) as Sequential)).toThrow(/weight 'out\/bias' of the model is missing from the weights manifest/);
    expect(() => (fromArtifacts({ ...good, format: 'graph-model' }) as Sequential)).toThrow(/format is 'graph-model'/);
    expect(() => fromArtifacts({ ...good, weightSpecs: good.weightSpecs!.map((s, i) => (i === 0 ? { ...s, dtype: 'string' as const } : s)) })).toThrow(/dtype 'string'/);

    const nan = data8.slice();
    new DataView(nan.buffer).setFloat32(4, NaN, true);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const loaded = (fromArtifacts({ ...good, weightData: nan.buffer }) as Sequential);
    expect(warn).toHaveBeenCalledWith("model artifacts: weight 'h/kernel' holds 1 NaN value of 15");
    expect(Number.isNaN(loaded.getWeights()[0]!.values[1])).toBe(true);
  });

  it('an optimizer state that does not fit our model is an error for our own files', async () => {
    const model = await trained();
    const a = toArtifacts(model);
    const drop = a.weightSpecs!.length - 1;
    const specs = a.weightSpecs!.slice(0, drop);
    const bytes = (a.weightData as ArrayBuffer).slice(0, (a.weightData as ArrayBuffer).byteLength - 2 * 4);
    expect(() => (fromArtifacts({ ...a, weightSpecs: specs, weightData: bytes }) as Sequential)).toThrow(/saved optimizer state does not fit the model: 12 optimizer weights were saved, Adam on this model has 13/);
  });
});

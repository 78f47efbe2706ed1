// TimeDistributed (Keras 3 keras/src/layers/rnn/time_distributed.py) against tfjs-layers 4.22 (timeDistributed
// around Dense and Conv2D) through tfjs Layers files both ways, finite-difference gradients, masks, the
// per-step path for layers that couple the batch (BatchNormalization in training, against a float64 reference),
// config round trips (also inside .keras files) and Keras' errors.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Tensor, noGrad, reshape } from '@minikeras/tensor';
import { maxDiff, expectClose, randomTensor } from '@minikeras/test-utils';
import { Layer, clearSession } from '../../engine/layer';
import type { CallContext } from '../../engine/layer';
import { getMask, setMask } from '../../engine/mask';
import type { Nested } from '../../engine/structure';
import { Input, InputLayer } from '../core';
import { Dense } from '../dense';
import { Conv2D } from '../conv2d';
import { BatchNormalization } from '../batch-normalization';
import { Embedding } from '../embedding';
import { Model } from '../../models/model';
import { Sequential } from '../../models/sequential';
import '../../models/functional';
import '../index';
import { toArtifacts } from '../../saving/artifacts';
import { fromArtifacts, loadModel } from '../../saving/load-model';
import { serializeLayer } from '../../saving/keras-config';
import { toKerasBytes } from '../../saving/keras-io';
import { saveableTree } from '../../saving/keras-tree';
import { checkLayerGradients, runLayerTest } from '../../testing/run-layer-test';
import { expectSavedRoundTrip } from '../../testing/layer-checks';
import { TimeDistributed } from './time-distributed';
import { LSTM } from './index';
import { tfjsSave } from '../../testing/tfjs-oracle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => clearSession());

const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
let worst = 0;

const rn = (seed: number) => tfl.initializers.randomNormal({ mean: 0, stddev: 0.5, seed });
const gu = (seed: number) => tfl.initializers.glorotUniform({ seed });

describe('TimeDistributed against tfjs-layers 4.22, through tfjs Layers files both ways', () => {
  const cases: Record<string, { make: () => tfl.layers.Layer; shape: number[] }> = {
    'Dense(3, relu)': { make: () => tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: 3, activation: 'relu', kernelInitializer: gu(1), biasInitializer: rn(1) }) }), shape: [2, 4, 5] },
    'Dense(2) on [batch, time, 3, 4]': { make: () => tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: 2, kernelInitializer: gu(2), biasInitializer: rn(2) }) }), shape: [3, 2, 3, 4] },
    'Conv2D(3, 3, same, strides 2)': {
      make: () => tfl.layers.timeDistributed({ layer: tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', strides: 2, activation: 'tanh', kernelInitializer: gu(3), biasInitializer: rn(3) }) }),
      shape: [2, 3, 7, 6, 2],
    },
    'Conv2D(2, [2, 3], valid)': { make: () => tfl.layers.timeDistributed({ layer: tfl.layers.conv2d({ filters: 2, kernelSize: [2, 3], kernelInitializer: gu(4), biasInitializer: rn(4) }) }), shape: [1, 4, 5, 5, 3] },
  };

  it.each(Object.entries(cases))('%s', async (_name, c) => {
    const input = tfl.input({ shape: c.shape.slice(1) });
    const layer = c.make();
    const tfModel = tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
    const x = randomTensor(c.shape, 11);
    const expected = (tfModel.predict(tf.tensor(Float32Array.from(x.values), c.shape)) as tf.Tensor).dataSync();

    const artifacts = await tfjsSave(tfModel);
    const ours = fromArtifacts(artifacts) as Model;
    const td = ours.layers.at(-1)! as TimeDistributed;
    expect(td).toBeInstanceOf(TimeDistributed);
    // tfjs names the wrapped layer's weights after the wrapper; ours match, so the files load by name.
    expect(td.weights.map((w) => w.name)).toEqual(artifacts.weightSpecs!.map((s) => s.name));
    const got = ours.predict(x) as Tensor;
    expect(got.shape).toEqual(tfModel.outputs[0]!.shape.map((d, i) => (i === 0 ? c.shape[0] : d)));
    const d1 = maxDiff(got.values, expected);
    expect(d1).toBeLessThanOrEqual(1e-5);

    const back = await tfl.loadLayersModel(tf.io.fromMemory(toArtifacts(ours) as unknown as tf.io.ModelArtifacts));
    expect(back.layers.at(-1)!.getClassName()).toBe('TimeDistributed');
    const d2 = maxDiff((back.predict(tf.tensor(Float32Array.from(x.values), c.shape)) as tf.Tensor).dataSync(), expected);
    expect(d2).toBeLessThanOrEqual(1e-5);
    worst = Math.max(worst, d1, d2);
  });

  it('stays within 1e-5 of tfjs (max difference printed)', () => {
    console.log(`TimeDistributed vs tfjs-layers 4.22: max |difference| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});

describe('TimeDistributed', () => {
  it('applies the same weights to every time slice, equal to the wrapped layer on each slice', () => {
    const dense = new Dense(3, { activation: 'tanh', biasInitializer: 'random_normal' });
    const td = new TimeDistributed(dense);
    const x = randomTensor([2, 5, 4], 3);
    const y = td.apply(x);
    expect(y.shape).toEqual([2, 5, 3]);
    expect(td.weights).toEqual(dense.weights);
    expect(td.weights.map((w) => w.name)).toEqual([`${td.name}/kernel`, `${td.name}/bias`]);
    for (let t = 0; t < 5; t++) {
      const slice = new Tensor(Float32Array.from({ length: 8 }, (_, k) => x.values[(Math.floor(k / 4) * 5 + t) * 4 + (k % 4)]!), [2, 4]);
      const want = dense.apply(slice);
      for (let b = 0; b < 2; b++) for (let u = 0; u < 3; u++) expect(y.values[(b * 5 + t) * 3 + u]).toBe(want.values[b * 3 + u]);
    }
  });

  it('a layer built before it is wrapped keeps its weights and their names', () => {
    const dense = new Dense(2, { name: 'shared' });
    const before = dense.apply(randomTensor([3, 4], 1));
    const td = new TimeDistributed(dense);
    const y = td.apply(randomTensor([3, 1, 4], 1));
    expect(td.weights.map((w) => w.name)).toEqual(['shared/kernel', 'shared/bias']);
    expect(bits(y.values)).toEqual(bits(before.values));
  });

  it('runLayerTest: shapes, weights, a training step, config round trip', () => {
    runLayerTest(() => new TimeDistributed(new Dense(4, { activation: 'relu' })), {
      inputShape: [3, 6, 5], expectedOutputShape: [3, 6, 4], expectedTrainableWeights: 2,
      fromConfig: (c) => TimeDistributed.fromConfig(c),
    });
    runLayerTest(() => new TimeDistributed(new Conv2D(2, 3, { padding: 'same' })), {
      inputShape: [2, 3, 5, 5, 2], expectedOutputShape: [2, 3, 5, 5, 2], expectedTrainableWeights: 2,
      fromConfig: (c) => TimeDistributed.fromConfig(c),
    });
  });

  it('gradients match finite differences (input and weights), Dense and Conv2D inside', () => {
    checkLayerGradients(new TimeDistributed(new Dense(3, { activation: 'tanh', biasInitializer: 'random_normal' })), randomTensor([2, 3, 4], 5));
    checkLayerGradients(new TimeDistributed(new Conv2D(2, 2, { activation: 'tanh', biasInitializer: 'random_normal' })), randomTensor([2, 2, 3, 3, 2], 6));
    // The per-step path (BatchNormalization in training) too.
    checkLayerGradients(new TimeDistributed(new BatchNormalization({ gammaInitializer: 'random_normal', betaInitializer: 'random_normal' })), randomTensor([4, 3, 2], 7), { training: true });
  });

  it('BatchNormalization in training uses the statistics of each time step, as Keras\' per-step loop (float64 reference)', () => {
    const bn = new BatchNormalization({ epsilon: 1e-3, gammaInitializer: 'random_normal', betaInitializer: 'random_normal' });
    const td = new TimeDistributed(bn);
    const [B, T, C] = [4, 3, 2];
    const x = randomTensor([B, T, C], 8, -2, 2);
    const y = td.apply(x, { training: true });
    const [gamma, beta] = [bn.weights[0]!.values, bn.weights[1]!.values];
    const want = new Float64Array(B * T * C);
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) {
        let m = 0, v = 0;
        for (let b = 0; b < B; b++) m += x.values[(b * T + t) * C + c]! / B;
        for (let b = 0; b < B; b++) v += (x.values[(b * T + t) * C + c]! - m) ** 2 / B;
        for (let b = 0; b < B; b++) want[(b * T + t) * C + c] = ((x.values[(b * T + t) * C + c]! - m) / Math.sqrt(v + 1e-3)) * gamma[c]! + beta[c]!;
      }
    }
    expectClose(y, want, { atol: 1e-5, rtol: 1e-5, label: 'per-step batch norm' });
    // In inference the moving statistics apply to every step: the folded path gives the per-slice results.
    const inference = td.apply(x, { training: false });
    const perSlice = bn.apply(reshape(x, [B * T, C]), { training: false });
    expect(bits(inference.values)).toEqual(bits(perSlice.values));
  });

  it('passes the input mask on, and gives the wrapped layer the mask of each slice', () => {
    const seen: number[][] = [];
    class MaskProbe extends Layer {
      static override readonly className = 'MinikerasTestMaskProbe';
      override call(x: Nested<Tensor>, ctx: CallContext): Tensor {
        seen.push(ctx.mask instanceof Tensor ? [...ctx.mask.shape, ...ctx.mask.values] : []);
        return x as Tensor;
      }
      override computeOutputShape(s: never) { return s; }
    }
    const td = new TimeDistributed(new MaskProbe());
    const x = randomTensor([2, 3, 2, 4], 9);
    const mask = new Tensor(Float32Array.of(1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0), [2, 3, 2]);
    const y = td.apply(x, { mask });
    expect(seen).toEqual([[6, 2, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0]]);
    expect(getMask(y)).toBe(mask);
    // An Embedding's mask rides through to the next layer.
    const tokens = new Tensor(Float32Array.of(3, 1, 0, 2, 0, 0), [2, 3]);
    const emb = new Embedding(5, 2, { maskZero: true });
    const e = emb.apply(reshape(tokens, [2, 3]));
    const out = new TimeDistributed(new Dense(2)).apply(e);
    expect(Array.from(getMask(out)!.values)).toEqual([1, 1, 0, 1, 0, 0]);
    setMask(e, null);
    expect(getMask(new TimeDistributed(new Dense(2)).apply(e))).toBeNull();
  });

  it('works symbolically: output shape, summary, functional and Sequential models', () => {
    const inp = Input({ shape: [4, 5] });
    const y = new TimeDistributed(new Dense(3)).apply(inp);
    expect(y.shape).toEqual([null, 4, 3]);
    const frames = Input({ shape: [null, 8, 8, 1] });
    expect(new TimeDistributed(new Conv2D(4, 3, { strides: 2 })).apply(frames).shape).toEqual([null, null, 3, 3, 4]);
    const model = new Sequential([new InputLayer({ shape: [6, 2] }), new TimeDistributed(new Dense(4, { activation: 'relu' })), new TimeDistributed(new Dense(1))]);
    expect(model.predict(randomTensor([3, 6, 2], 1)).shape).toEqual([3, 6, 1]);
    expect(model.countParams()).toBe(2 * 4 + 4 + 4 + 1);
  });

  it('config: the wrapped layer nested as Keras JSON, rebuilt from Keras 3, tfjs and our own nesting', () => {
    const td = new TimeDistributed(new Dense(3, { activation: 'relu', name: 'inner' }), { name: 'td' });
    const json = serializeLayer(td);
    expect(json.class_name).toBe('TimeDistributed');
    expect(json.config).toMatchObject({ name: 'td', trainable: true, layer: { class_name: 'Dense', config: { name: 'inner', units: 3, activation: 'relu' } } });
    const back = TimeDistributed.fromConfig<TimeDistributed>(td.getConfig());
    expect(back.layer).toBeInstanceOf(Dense);
    expect(back.getConfig()).toEqual(td.getConfig());
    // Keras 3 nesting (module, registered_name, build_config, a DTypePolicy).
    const keras3 = {
      name: 'time_distributed', trainable: true,
      layer: { module: 'keras.layers', class_name: 'Dense', config: { name: 'dense', units: 2, activation: 'linear', use_bias: true, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null } }, registered_name: null, build_config: { input_shape: [null, 4] } },
    };
    const k = TimeDistributed.fromConfig<TimeDistributed>(keras3);
    expect((k.layer as Dense).units).toBe(2);
    // A Layer instance is taken as is.
    const d = new Dense(1);
    expect(TimeDistributed.fromConfig<TimeDistributed>({ layer: d }).layer).toBe(d);
    expectSavedRoundTrip(new TimeDistributed(new Dense(2, { biasInitializer: 'random_normal' })), randomTensor([2, 3, 4], 2));
  });

  it('.keras: the wrapped layer\'s variables under layers/time_distributed/layer, a bit-exact round trip', async () => {
    const x = Input({ shape: [3, 4] });
    const model = new Model({ inputs: x, outputs: new TimeDistributed(new Dense(2, { biasInitializer: 'random_normal' })).apply(x) });
    expect(saveableTree(model).map((n) => `${n.varsPath}:${n.vars.length}`)).toEqual(['vars:0', 'layers/input_layer/vars:0', 'layers/time_distributed/vars:0', 'layers/time_distributed/layer/vars:2']);
    const xs = randomTensor([2, 3, 4], 4);
    const back = await loadModel(await toKerasBytes(model));
    expect(back.weights.map((w) => bits(w.values))).toEqual(model.weights.map((w) => bits(w.values)));
    expect(bits((back.predict(xs) as Tensor).values)).toEqual(bits((model.predict(xs) as Tensor).values));
    const config = JSON.parse(new TextDecoder().decode((await import('fflate')).unzipSync(await toKerasBytes(model))['config.json']!)) as { config: { layers: { config: Record<string, unknown> }[] } };
    // Keras 3 nests the wrapped layer in its own serialization.
    expect(config.config.layers[1]!.config.layer).toMatchObject({ module: 'keras.layers', class_name: 'Dense', registered_name: null, config: { dtype: { class_name: 'DTypePolicy' } } });
  });

  it('errors name the layer and what was expected', () => {
    expect(() => new TimeDistributed({ units: 3 } as unknown as Layer, { name: 'td' })).toThrow("TimeDistributed 'td': expected a Layer instance to wrap, got {\"units\":3}");
    expect(() => new TimeDistributed(new Dense(2), { name: 'td', mergeMode: 'sum' } as never)).toThrow("TimeDistributed 'td': unknown option 'mergeMode'");
    expect(() => new TimeDistributed(new Dense(2), { name: 'a' }).apply(randomTensor([2, 3], 1))).toThrow("TimeDistributed 'a': expects one input of rank >= 3 [batch, time, ...], got shape (None, 3)");
    expect(() => new TimeDistributed(new Dense(2), { name: 'b' }).apply(Input({ shape: [4] }))).toThrow(/TimeDistributed 'b' cannot be called on .*expects one input of rank >= 3/);
    const td = new TimeDistributed(new Dense(2), { name: 'c' });
    expect(() => td.apply(randomTensor([2, 3, 4], 1), { mask: new Tensor(new Float32Array(4), [2, 2]) })).toThrow("TimeDistributed 'c': the mask must have shape [2, 3, ...] like the input's first two axes, got [2,2]");
    expect(() => TimeDistributed.fromConfig({ name: 'x' })).toThrow("TimeDistributed.fromConfig: the config has no 'layer'");
    expect(() => TimeDistributed.fromConfig({ name: 'x', layer: { class_name: 'Conv4D', config: {} } })).toThrow(/TimeDistributed 'x': its layer: layer class 'Conv4D' is not available in minikeras/);
  });

  it('wraps a recurrent layer: an LSTM over each inner sequence, with the mask of each slice', () => {
    const lstm = new LSTM(3, { biasInitializer: 'random_normal' });
    const td = new TimeDistributed(lstm);
    const x = randomTensor([2, 3, 4, 2], 13);
    const mask = new Tensor(Float32Array.from({ length: 24 }, (_, i) => (i % 4 < 1 + (i % 3) ? 1 : 0)), [2, 3, 4]);
    const y = td.apply(x, { mask });
    expect(y.shape).toEqual([2, 3, 3]);
    for (let b = 0; b < 2; b++) {
      for (let t = 0; t < 3; t++) {
        const at = (b * 3 + t) * 8;
        const slice = new Tensor(x.values.slice(at, at + 8), [1, 4, 2]);
        const m = new Tensor(mask.values.slice((b * 3 + t) * 4, (b * 3 + t) * 4 + 4), [1, 4]);
        const want = lstm.apply(slice, { mask: m });
        expectClose(y.values.slice((b * 3 + t) * 3, (b * 3 + t) * 3 + 3), want.values, { atol: 1e-6, rtol: 0, label: `slice ${b}, ${t}` });
      }
    }
    expect(td.weights.map((w) => w.name)).toEqual([`${td.name}/kernel`, `${td.name}/recurrent_kernel`, `${td.name}/bias`]);
  });

  it('the training flag reaches the wrapped layer', () => {
    const td = new TimeDistributed(new BatchNormalization());
    const x = randomTensor([3, 2, 2], 12, 1, 3);
    const a = noGrad(() => td.apply(x, { training: false }));
    const b = noGrad(() => td.apply(x, { training: true }));
    expect(bits(a.values)).not.toEqual(bits(b.values));
  });
});

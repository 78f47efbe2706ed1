import '../models/functional';
import { describe, expect, it } from 'vitest';
import { Tensor, setSeed } from '@minikeras/tensor';
import { Sequential } from '../models/sequential';
import { Dense } from '../layers/dense';
import { Activation, Dropout, Flatten, InputLayer, Reshape } from '../layers/core';
import { Conv2D } from '../layers/conv2d';
import { AveragePooling2D, MaxPooling2D } from '../layers/pooling';
import { GlobalAveragePooling2D, GlobalMaxPooling2D } from '../layers/global-pooling';
import { BatchNormalization } from '../layers/batch-normalization';
import { LayerNormalization } from '../layers/layer-normalization';
import { Embedding } from '../layers/embedding';
import { RandomNormal } from '../initializers';
import { l1l2, l2 } from '../regularizers';
import type { Layer } from '../engine/layer';
import { LAYER_CLASSES, deserializeInitializer, deserializeLayer, serializeLayer } from './keras-config';
import { modelToJSON } from './artifacts';
import { modelFromJSON } from './load-model';

const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const glorot = { module: 'keras.initializers', class_name: 'GlorotUniform', config: { seed: null }, registered_name: null };
const zeros = { module: 'keras.initializers', class_name: 'Zeros', config: {}, registered_name: null };
const ones = { module: 'keras.initializers', class_name: 'Ones', config: {}, registered_name: null };

/** Written by hand in the shape of Keras 3.x `model.to_json()` for a small convnet. */
const KERAS3_CONVNET = JSON.stringify({
  module: 'keras', class_name: 'Sequential', registered_name: null,
  config: {
    name: 'convnet', trainable: true, dtype: policy, build_input_shape: [null, 8, 8, 1],
    layers: [
      { module: 'keras.layers', class_name: 'InputLayer', registered_name: null, config: { batch_shape: [null, 8, 8, 1], dtype: 'float32', sparse: false, ragged: false, name: 'input_layer', optional: false } },
      {
        module: 'keras.layers', class_name: 'Conv2D', registered_name: null, build_config: { input_shape: [null, 8, 8, 1] },
        config: {
          name: 'conv2d', trainable: true, dtype: policy, filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'valid',
          data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation: 'relu', use_bias: true,
          kernel_initializer: glorot, bias_initializer: zeros, kernel_regularizer: null, bias_regularizer: null,
          activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
        },
      },
      { module: 'keras.layers', class_name: 'MaxPooling2D', registered_name: null, build_config: { input_shape: [null, 6, 6, 4] }, config: { name: 'max_pooling2d', trainable: true, dtype: policy, pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last' } },
      {
        module: 'keras.layers', class_name: 'BatchNormalization', registered_name: null, build_config: { input_shape: [null, 3, 3, 4] },
        config: {
          name: 'batch_normalization', trainable: true, dtype: policy, axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true,
          beta_initializer: zeros, gamma_initializer: ones, moving_mean_initializer: zeros, moving_variance_initializer: ones,
          beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null, synchronized: false,
        },
      },
      { module: 'keras.layers', class_name: 'Flatten', registered_name: null, build_config: { input_shape: [null, 3, 3, 4] }, config: { name: 'flatten', trainable: true, dtype: policy, data_format: 'channels_last' } },
      { module: 'keras.layers', class_name: 'Dropout', registered_name: null, build_config: { input_shape: [null, 36] }, config: { name: 'dropout', trainable: true, dtype: policy, rate: 0.5, seed: null, noise_shape: null } },
      {
        module: 'keras.layers', class_name: 'Dense', registered_name: null, build_config: { input_shape: [null, 36] },
        config: {
          name: 'dense', trainable: true, dtype: policy, units: 10, activation: 'softmax', use_bias: true,
          kernel_initializer: glorot, bias_initializer: zeros,
          kernel_regularizer: { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.01 }, registered_name: null },
          bias_regularizer: null, kernel_constraint: null, bias_constraint: null, lora_rank: null,
        },
      },
    ],
  },
  build_config: { input_shape: [null, 8, 8, 1] },
});

describe('Keras JSON of layers and models', () => {
  it('writes a Dense model in the tfjs/Keras nesting with snake_case keys', () => {
    const model = new Sequential({ name: 'mlp', layers: [new Dense(3, { inputShape: [4], activation: 'relu', name: 'd1' }), new Dense(2, { name: 'd2', kernelRegularizer: l2(0.5) })] });
    const json = modelToJSON(model);
    expect(json.class_name).toBe('Sequential');
    expect(json.keras_version).toMatch(/^minikeras /);
    expect(json.config.name).toBe('mlp');
    expect(json.config.build_input_shape).toEqual([null, 4]);
    expect(json.config.layers[0]).toEqual({
      class_name: 'Dense',
      config: {
        name: 'd1', trainable: true, batch_input_shape: [null, 4], dtype: 'float32', units: 3, activation: 'relu', use_bias: true,
        kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} },
        kernel_regularizer: null, bias_regularizer: null,
      },
    });
    // l2(0.5) is written as the L1L2 class both tfjs and Keras register.
    expect(json.config.layers[1]!.config.kernel_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 0.5 } });
    expect(json.config.layers[1]!.config.activation).toBe('linear');
    expect(json.config.layers[1]!.config.batch_input_shape).toBeUndefined();
  });

  it('gives the first layer the built input shape when it declared none, so tfjs can rebuild it', () => {
    const model = new Sequential([new Dense(2, { name: 'a' })]);
    model.build([null, 5]);
    expect(modelToJSON(model).config.layers[0]!.config.batch_input_shape).toEqual([null, 5]);
  });

  it('loads a hand-written Keras 3 to_json() convnet', () => {
    const model = (modelFromJSON(KERAS3_CONVNET) as Sequential);
    expect(model.name).toBe('convnet');
    expect(model.layers.map((l) => l.className)).toEqual(['Conv2D', 'MaxPooling2D', 'BatchNormalization', 'Flatten', 'Dropout', 'Dense']);
    expect(model.inputShape).toEqual([null, 8, 8, 1]);
    expect(model.outputShape).toEqual([null, 10]);
    // conv 3*3*1*4 + 4 = 40, batch norm 4 * 4 = 16, dense 36*10 + 10 = 370 (8x8 -> 6x6 -> pooled 3x3, 3*3*4 = 36).
    expect(model.countParams()).toBe(40 + 16 + 370);
    const conv = model.layers[0] as Conv2D;
    expect([conv.filters, conv.kernelSize, conv.padding, conv.activation]).toEqual([4, [3, 3], 'valid', 'relu']);
    expect((model.layers[4] as Dropout).rate).toBe(0.5);
    const dense = model.layers[5] as Dense;
    expect(dense.getConfig().kernelRegularizer).toMatchObject({ className: 'L2', l2: 0.01 });
    // Unseeded GlorotUniform with no other config comes back as its name.
    expect(dense.getConfig().kernelInitializer).toBe('glorot_uniform');
    const y = model.predict(new Tensor(new Float32Array(2 * 64).fill(0.5), [2, 8, 8, 1]));
    expect(y.shape).toEqual([2, 10]);
    // softmax rows sum to 1
    expect(Array.from(y.values.slice(0, 10)).reduce((p, v) => p + v, 0)).toBeCloseTo(1, 5);
  });

  it('loads Keras 3 Embedding, LayerNormalization and GlobalAveragePooling2D configs', () => {
    const model = (modelFromJSON({
      module: 'keras', class_name: 'Sequential', config: {
        name: 'text', layers: [
          { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 5], dtype: 'int32', sparse: false, name: 'ids' } },
          {
            module: 'keras.layers', class_name: 'Embedding', config: {
              name: 'embedding', trainable: true, dtype: policy, input_dim: 50, output_dim: 8,
              embeddings_initializer: { module: 'keras.initializers', class_name: 'RandomUniform', config: { seed: null, minval: -0.05, maxval: 0.05 }, registered_name: null },
              embeddings_regularizer: null, activity_regularizer: null, embeddings_constraint: null, mask_zero: false,
            },
          },
          { module: 'keras.layers', class_name: 'LayerNormalization', config: { name: 'ln', trainable: true, dtype: policy, axis: [-1], epsilon: 0.001, center: true, scale: true, rms_scaling: false, beta_initializer: zeros, gamma_initializer: ones, beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null } },
          { module: 'keras.layers', class_name: 'Reshape', config: { name: 'r', trainable: true, dtype: policy, target_shape: [5, 8, 1] } },
          { module: 'keras.layers', class_name: 'GlobalAveragePooling2D', config: { name: 'gap', trainable: true, dtype: policy, data_format: 'channels_last', keepdims: false } },
        ],
      },
    }) as Sequential);
    // InputLayer's int32 dtype is about the ids it receives; the layer itself passes them through.
    expect(model.outputShape).toEqual([null, 1]);
    // 50 * 8 embeddings + 8 gamma + 8 beta
    expect(model.countParams()).toBe(416);
  });

  it('reads the tfjs spellings: VarianceScaling with distribution normal, camelCase mode, LeCunNormal', () => {
    const vs = deserializeInitializer({ class_name: 'VarianceScaling', config: { scale: 2, mode: 'fanIn', distribution: 'normal', seed: null } }, 'test');
    expect(typeof vs === 'object' && vs.getConfig()).toEqual({ scale: 2, mode: 'fan_in', distribution: 'truncated_normal' });
    expect(deserializeInitializer({ class_name: 'LeCunNormal', config: { seed: null } }, 'test')).toBe('lecun_normal');
    const orthogonal = deserializeInitializer({ class_name: 'Orthogonal', config: { gain: 2, seed: null } }, 'layer 0');
    expect(typeof orthogonal === 'object' && [orthogonal.className, orthogonal.getConfig()]).toEqual(['Orthogonal', { gain: 2 }]);
    expect(deserializeInitializer({ class_name: 'OrthogonalInitializer', config: { seed: null } }, 'layer 0')).toBe('orthogonal');
    expect(() => deserializeInitializer({ class_name: 'Orthogonall', config: { gain: 1 } }, 'layer 0')).toThrow(/layer 0: unknown initializer class 'Orthogonall' \(did you mean 'Orthogonal'\?\)/);
  });

  const everyLayer = (): Layer[] => [
    new InputLayer({ shape: [6, 6, 2], name: 'in' }),
    new Dense(3, { activation: 'tanh', useBias: false, kernelInitializer: new RandomNormal({ stddev: 0.3, seed: 7 }), biasRegularizer: l1l2({ l1: 0.1, l2: 0.2 }), name: 'dense_x' }),
    new Conv2D(5, [3, 2], { strides: 2, padding: 'same', dilationRate: 1, activation: 'relu', kernelInitializer: 'he_normal', name: 'c' }),
    new MaxPooling2D({ poolSize: 3, strides: 1, padding: 'same', name: 'mp' }),
    new AveragePooling2D({ poolSize: [2, 1], name: 'ap' }),
    new GlobalAveragePooling2D({ keepdims: true, name: 'gap' }),
    new GlobalMaxPooling2D({ name: 'gmp' }),
    new BatchNormalization({ axis: 1, momentum: 0.9, epsilon: 0.01, center: false, gammaInitializer: 'lecun_uniform', name: 'bn' }),
    new LayerNormalization({ axis: [1, 2], epsilon: 1e-5, scale: false, name: 'ln' }),
    new Embedding(20, 4, { maskZero: true, embeddingsRegularizer: l2(0.01), name: 'emb' }),
    new Dropout(0.25, { noiseShape: [null, 1], seed: 3, name: 'drop' }),
    new Flatten({ name: 'flat' }),
    new Reshape([2, -1], { name: 'resh' }),
    new Activation('softmax', { name: 'act' }),
  ];

  it('has a registry entry for every layer class, and serialize -> deserialize is a fixed point', () => {
    const layers = everyLayer();
    expect(new Set(layers.map((l) => l.className))).toEqual(new Set(Object.keys(LAYER_CLASSES)));
    for (const layer of layers) {
      const json = serializeLayer(layer);
      const back = deserializeLayer(JSON.parse(JSON.stringify(json)), 'test');
      expect(back.className).toBe(layer.className);
      expect(back.name).toBe(layer.name);
      expect(serializeLayer(back), layer.className).toEqual(json);
    }
    // Spot checks that values, not just keys, survive.
    const conv = deserializeLayer(serializeLayer(layers[2]!), 't') as Conv2D;
    expect([conv.kernelSize, conv.strides, conv.padding]).toEqual([[3, 2], [2, 2], 'same']);
    const drop = deserializeLayer(serializeLayer(layers[10]!), 't') as Dropout;
    expect([drop.rate, drop.noiseShape, drop.seed]).toEqual([0.25, [null, 1], 3]);
    const emb = deserializeLayer(serializeLayer(layers[9]!), 't') as Embedding;
    expect([emb.inputDim, emb.outputDim, emb.maskZero]).toEqual([20, 4, true]);
  });

  it('a seeded initializer keeps its seed, so the rebuilt model initializes identically', () => {
    setSeed(1);
    const a = new Sequential([new Dense(4, { inputShape: [3], kernelInitializer: new RandomNormal({ seed: 11 }), name: 'k' })]);
    const b = modelFromJSON(JSON.stringify(modelToJSON(a)));
    expect(Array.from(b.getWeights()[0]!.values)).toEqual(Array.from(a.getWeights()[0]!.values));
  });

  it('rejects what it cannot rebuild, naming the layer and the key', () => {
    const base = (layer: object) => ({ class_name: 'Sequential', config: { name: 's', layers: [layer] } });
    expect(() => (modelFromJSON(base({ class_name: 'CuDNNLSTM', config: { units: 3 } })) as Sequential)).toThrow(/model JSON: .*layer 0: layer class 'CuDNNLSTM' is not available in minikeras.*Dense/);
    expect(() => (modelFromJSON(base({ class_name: 'Dense', config: { units: 3, kernel_constraint: { class_name: 'MaxNorm', config: {} } } })) as Sequential))
      .toThrow(/layer 0 \(Dense\): 'kernel_constraint' = .* is not supported/);
    expect(() => (modelFromJSON(base({ class_name: 'Dense', config: { units: 3, unitz: 4 } })) as Sequential)).toThrow(/unknown config key 'unitz'/);
    expect(() => (modelFromJSON(base({ class_name: 'Dense', config: { units: 3, dtype: 'float16' } })) as Sequential)).toThrow(/dtype "float16" is not supported/);
    expect(() => (modelFromJSON(base({ class_name: 'Dense', config: { name: 'd' } })) as Sequential)).toThrow(/layer 0 \(Dense 'd'\): the config has no 'units'/);
    expect(() => (modelFromJSON(base({ class_name: 'Dense', config: { units: -1 } })) as Sequential)).toThrow(/units must be a positive integer/);
    expect(() => (modelFromJSON({ class_name: 'Functional', config: { layers: [] } }) as Sequential)).toThrow(/functional model '': input_layers must be a list of tensor references|a model needs at least one input/);
    expect(() => (modelFromJSON('{"class_name": "Sequential", ') as Sequential)).toThrow(/model JSON: not valid JSON/);
  });

  it('accepts the model_config wrapper of tfjs converter output and Keras 2 bare layer lists', () => {
    const layer = { class_name: 'Dense', config: { units: 2, batch_input_shape: [null, 3], name: 'only' } };
    const a = (modelFromJSON({ keras_version: '2.15.0', backend: 'tensorflow', model_config: { class_name: 'Sequential', config: { name: 'w', layers: [layer] } } }) as Sequential);
    const b = (modelFromJSON({ class_name: 'Sequential', config: [layer] }) as Sequential);
    expect(a.outputShape).toEqual([null, 2]);
    expect(b.outputShape).toEqual([null, 2]);
  });
});

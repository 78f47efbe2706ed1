import { beforeEach, describe, expect, it } from 'vitest';
import { mul, sum, tensor, variableGrads } from '@minikeras/tensor';
import { expectClose } from '@minikeras/test-utils';
import { Embedding } from './embedding';
import { clearSession } from '../engine/layer';
import { checkLayerGradients, runLayerTest } from '../testing/run-layer-test';

beforeEach(() => clearSession());

const ids = () => tensor([[1, 3, 0], [2, 2, 4]]);

describe('Embedding', () => {
  it('passes the generic layer test', () => {
    runLayerTest(() => new Embedding(5, 4), {
      inputShape: [2, 3], input: ids(), expectedOutputShape: [2, 3, 4], expectedTrainableWeights: 1, expectedNonTrainableWeights: 0,
      fromConfig: (c) => new Embedding(c.inputDim as number, c.outputDim as number, c),
    });
  });

  it('looks up rows of the embeddings matrix, for float and int32 ids', () => {
    const layer = new Embedding(4, 2);
    layer.ensureBuilt([null, 2]);
    expect(layer.weights.map((w) => w.name)).toEqual(['embedding/embeddings']);
    layer.setWeights([tensor([[0, 0], [1, 10], [2, 20], [3, 30]])]);
    // ids [[1, 3], [0, 2]] pick rows 1, 3, 0, 2
    const expected = [1, 10, 3, 30, 0, 0, 2, 20];
    const y = layer.apply(tensor([[1, 3], [0, 2]]));
    expect(y.shape).toEqual([2, 2, 2]);
    expectClose(y, expected);
    expectClose(layer.apply(tensor([[1, 3], [0, 2]], [2, 2], 'int32')), expected);
  });

  it("initializes with Keras' 'uniform': RandomUniform(-0.05, 0.05)", () => {
    const layer = new Embedding(100, 50);
    layer.ensureBuilt([null, 1]);
    const v = layer.embeddings!.values;
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-0.05);
    expect(Math.max(...v)).toBeLessThanOrEqual(0.05);
    // 5000 draws fill the range: the extremes come within 0.001 of the bounds with near certainty ((1 - 0.01)^5000).
    expect(Math.min(...v)).toBeLessThan(-0.049);
    expect(Math.max(...v)).toBeGreaterThan(0.049);
  });

  it('sends gradients only to the rows looked up, adding repeated ids', () => {
    const layer = new Embedding(4, 2);
    const x = tensor([[1, 1, 2]]);
    const { grads } = variableGrads(() => sum(mul(layer.apply(x), tensor([[[1, 2], [3, 4], [5, 6]]]))));
    // row 1 is used twice: [1 + 3, 2 + 4]; row 2 once: [5, 6]; rows 0 and 3 not at all.
    expectClose(grads.get(layer.embeddings!)!, [0, 0, 4, 6, 5, 6, 0, 0]);
    checkLayerGradients(new Embedding(5, 3), ids(), { wrtInput: false });
  });

  it('rejects ids that are out of range or not integers, naming the layer', () => {
    const layer = new Embedding(4, 2, { name: 'emb' });
    expect(() => layer.apply(tensor([[0, 4]]))).toThrow("Embedding 'emb': input value 4 at flat position 1 is not an integer id in [0, 4)");
    expect(() => layer.apply(tensor([[-1]]))).toThrow(/Embedding 'emb': input value -1/);
    expect(() => layer.apply(tensor([[1.5]]))).toThrow(/Embedding 'emb': input value 1.5 .* is not an integer id/);
  });

  it('stores maskZero and validates its dimensions', () => {
    expect(new Embedding(3, 2, { maskZero: true }).getConfig().maskZero).toBe(true);
    expect(() => new Embedding(0, 2)).toThrow(/Embedding 'embedding.*': inputDim must be a positive integer, got 0/);
    expect(() => new Embedding(3, 2.5)).toThrow(/outputDim must be a positive integer, got 2.5/);
    // @ts-expect-error: misspelled option
    expect(() => new Embedding(3, 2, { maskZeros: true })).toThrow(/unknown option 'maskZeros' \(did you mean 'maskZero'\?\)/);
  });
});

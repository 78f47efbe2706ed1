// Merge layers (Keras 3's keras/src/layers/merging) against tfjs-layers 4.22 on the cpu backend, with
// finite-difference gradient checks of every layer with respect to every input, symbolic shape inference,
// Keras' errors and config round trips (alone and inside a saved functional model).
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { Random, Tensor, tensor } from '@minikeras/tensor';
import { expectClose, gradcheck, randomTensor } from '@minikeras/test-utils';
import { Layer, clearSession } from '../../engine/layer';
import { getMask, setMask } from '../../engine/mask';
import type { SymbolicTensor } from '../../engine/symbolic-tensor';
import { Input } from '../core';
import { Dense } from '../dense';
import { Model } from '../../models/model';
import '../../models/functional';
import { Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract } from './index';
import { modelFromJSON, modelToJSON, fromArtifacts, toArtifacts } from '../../saving/artifacts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => clearSession());

const toTf = (t: Tensor) => tf.tensor(Float32Array.from(t.values), [...t.shape]);

/** Largest |a - b| over two same-shaped results; also checks the shapes agree. */
function maxDiff(ours: Tensor, theirs: tf.Tensor): number {
  expect(ours.shape).toEqual(theirs.shape);
  const b = theirs.dataSync();
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(ours.values[i]! - b[i]!));
  return m;
}

/** Records the largest difference seen against tfjs, reported by the last test. */
const worst = { value: 0, where: '' };
function compare(ours: Tensor, theirs: tf.Tensor, where: string): void {
  const d = maxDiff(ours, theirs);
  if (d > worst.value) { worst.value = d; worst.where = where; }
  expectClose(ours, theirs.dataSync(), { atol: 1e-5, rtol: 0, label: where });
}

const run = (layer: Layer, xs: Tensor[]) => layer.apply(xs) as Tensor;
const runTf = (layer: tfl.layers.Layer, xs: Tensor[]) => layer.apply(xs.map(toTf)) as tf.Tensor;

/**
 * Inputs whose values differ by at least 0.3 at every position (a random permutation of offsets 0, 0.3, 0.6,
 * ... added to a shared base), so Maximum/Minimum have no ties within the finite-difference step.
 */
function separated(count: number, shape: number[], seed: number): Tensor[] {
  const rng = new Random(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  const out = Array.from({ length: count }, () => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    const base = rng.uniform() * 2 - 1;
    const order = Array.from({ length: count }, (_, k) => k);
    for (let k = count - 1; k > 0; k--) {
      const j = Math.floor(rng.uniform() * (k + 1));
      [order[k], order[j]] = [order[j]!, order[k]!];
    }
    order.forEach((pos, k) => { out[k]![i] = base + 0.3 * pos; });
  }
  return out.map((v) => tensor(v, shape));
}

/**
 * tfjs-layers 4.22 has no Subtract layer: its oracle is tfjs' Add layer on [x, -y], which goes through the same
 * Keras broadcasting (rank expansion after the batch axis) in tfjs' Merge base.
 */
const tfjsSubtract = (): tfl.layers.Layer => {
  const add = tfl.layers.add({});
  return { apply: (xs: tf.Tensor[]) => add.apply([xs[0]!, tf.neg(xs[1]!)]) } as unknown as tfl.layers.Layer;
};

type ElementwiseName = 'add' | 'subtract' | 'multiply' | 'average' | 'maximum' | 'minimum';
const ELEMENTWISE: { name: ElementwiseName; ours: () => Layer; theirs: () => tfl.layers.Layer }[] = [
  { name: 'add', ours: () => new Add(), theirs: () => tfl.layers.add({}) },
  { name: 'subtract', ours: () => new Subtract(), theirs: tfjsSubtract },
  { name: 'multiply', ours: () => new Multiply(), theirs: () => tfl.layers.multiply({}) },
  { name: 'average', ours: () => new Average(), theirs: () => tfl.layers.average({}) },
  { name: 'maximum', ours: () => new Maximum(), theirs: () => tfl.layers.maximum({}) },
  { name: 'minimum', ours: () => new Minimum(), theirs: () => tfl.layers.minimum({}) },
];

/** Input shape lists each element-wise layer is checked on: equal shapes, Keras broadcasting, ranks 2-4. */
const CASES: { what: string; shapes: number[][]; binaryOnly?: boolean }[] = [
  { what: 'two [3, 4]', shapes: [[3, 4], [3, 4]] },
  { what: 'three [2, 5]', shapes: [[2, 5], [2, 5], [2, 5]] },
  { what: '[3, 4] with [3, 1] (broadcast)', shapes: [[3, 4], [3, 1]] },
  { what: '[3, 1] with [3, 4] (broadcast, first input smaller)', shapes: [[3, 1], [3, 4]] },
  { what: '[2, 3, 4] with [2, 4] (rank expanded after the batch axis)', shapes: [[2, 3, 4], [2, 4]] },
  { what: '[2, 3, 1] with [2, 1, 4] (both broadcast)', shapes: [[2, 3, 1], [2, 1, 4]] },
  { what: 'three [2, 2, 3, 2] images', shapes: [[2, 2, 3, 2], [2, 2, 3, 2], [2, 1, 3, 1]] },
];

describe('element-wise merge layers match tfjs-layers', () => {
  for (const layer of ELEMENTWISE) {
    for (const c of CASES) {
      if (layer.name === 'subtract' && c.shapes.length !== 2) continue;
      it(`${layer.name}: ${c.what}`, () => {
        const xs = c.shapes.map((s, i) => randomTensor(s, 11 * i + c.shapes.length, -2, 2));
        compare(run(layer.ours(), xs), runTf(layer.theirs(), xs), `${layer.name} ${c.what}`);
      });
    }
  }

  it('a single input passes through (Keras allows one input; Add of [x] is x)', () => {
    const x = randomTensor([2, 3], 1);
    expectClose(run(new Add(), [x]), x.values, { atol: 0, rtol: 0 });
    expectClose(run(new Concatenate(), [x]), x.values, { atol: 0, rtol: 0 });
  });
});

describe('Concatenate matches tfjs-layers', () => {
  const cases: { axis: number; shapes: number[][] }[] = [
    { axis: -1, shapes: [[2, 3], [2, 5]] },
    { axis: 1, shapes: [[2, 3], [2, 1], [2, 4]] },
    { axis: 1, shapes: [[2, 3, 4], [2, 2, 4]] },
    { axis: 2, shapes: [[2, 3, 4], [2, 3, 1]] },
    { axis: -2, shapes: [[2, 3, 4], [2, 5, 4]] },
    { axis: 3, shapes: [[2, 2, 3, 1], [2, 2, 3, 4]] },
    { axis: 1, shapes: [[2, 2, 3, 2], [2, 1, 3, 2], [2, 3, 3, 2]] },
    { axis: 2, shapes: [[2, 2, 3, 2], [2, 2, 1, 2]] },
  ];
  for (const c of cases) {
    it(`axis ${c.axis} on ${c.shapes.map((s) => `[${s.join(', ')}]`).join(' + ')}`, () => {
      const xs = c.shapes.map((s, i) => randomTensor(s, 3 + i));
      // tfjs' K.concatenate turns every negative axis into -1 (a tfjs bug), so its oracle gets the positive axis.
      const tfAxis = c.axis < -1 ? c.axis + c.shapes[0]!.length : c.axis;
      compare(run(new Concatenate({ axis: c.axis }), xs), runTf(tfl.layers.concatenate({ axis: tfAxis }), xs), `concatenate axis ${c.axis}`);
    });
  }
});

describe('Dot matches tfjs-layers', () => {
  const cases: { axes: number | [number, number]; shapes: [number[], number[]] }[] = [
    { axes: 1, shapes: [[3, 4], [3, 4]] },
    { axes: -1, shapes: [[3, 4], [3, 4]] },
    { axes: [1, 1], shapes: [[3, 5], [3, 5]] },
    { axes: 2, shapes: [[2, 3, 4], [2, 5, 4]] },
    { axes: 1, shapes: [[2, 3, 4], [2, 3, 5]] },
    { axes: [2, 1], shapes: [[2, 3, 4], [2, 4, 5]] },
    { axes: [1, 2], shapes: [[2, 4, 3], [2, 5, 4]] },
    { axes: [-1, -2], shapes: [[2, 3, 4], [2, 4, 2]] },
    { axes: [2, 1], shapes: [[2, 3, 4], [2, 4]] },
    { axes: [1, 2], shapes: [[2, 4], [2, 3, 4]] },
  ];
  for (const c of cases) {
    for (const normalize of [false, true]) {
      it(`axes ${JSON.stringify(c.axes)}, normalize ${normalize}, on [${c.shapes[0].join(', ')}] . [${c.shapes[1].join(', ')}]`, () => {
        const xs = c.shapes.map((s, i) => randomTensor(s, 20 + i, -2, 2));
        compare(run(new Dot(c.axes, { normalize }), xs), runTf(tfl.layers.dot({ axes: c.axes, normalize }), xs), `dot ${JSON.stringify(c.axes)} ${normalize}`);
      });
    }
  }

  /** Keras' batch_dot in float64, by index arithmetic, for ranks tfjs does not support (4 and up). */
  function batchDotReference(x: Tensor, y: Tensor, a: number, b: number): { shape: number[]; values: Float64Array } {
    const xs = [...x.shape], ys = [...y.shape];
    const xKeep = xs.map((_, i) => i).filter((i) => i !== 0 && i !== a);
    const yKeep = ys.map((_, i) => i).filter((i) => i !== 0 && i !== b);
    const shape = [xs[0]!, ...xKeep.map((i) => xs[i]!), ...yKeep.map((i) => ys[i]!)];
    const strides = (s: number[]) => s.map((_, i) => s.slice(i + 1).reduce((p, d) => p * d, 1));
    const xStr = strides(xs), yStr = strides(ys), oStr = strides(shape);
    const size = shape.reduce((p, d) => p * d, 1);
    const out = new Float64Array(size);
    for (let o = 0; o < size; o++) {
      const idx = shape.map((_, i) => Math.floor(o / oStr[i]!) % shape[i]!);
      let xo = idx[0]! * xStr[0]!, yo = idx[0]! * yStr[0]!;
      xKeep.forEach((axis, k) => { xo += idx[1 + k]! * xStr[axis]!; });
      yKeep.forEach((axis, k) => { yo += idx[1 + xKeep.length + k]! * yStr[axis]!; });
      let sum = 0;
      for (let k = 0; k < xs[a]!; k++) sum += x.values[xo + k * xStr[a]!]! * y.values[yo + k * yStr[b]!]!;
      out[o] = sum;
    }
    return { shape: shape.length === 1 ? [shape[0]!, 1] : shape, values: out };
  }

  for (const [axes, s1, s2] of [[[3, 1], [2, 2, 3, 4], [2, 4, 5]], [[1, 2], [2, 4, 3, 2], [2, 3, 4, 2]], [2, [2, 3, 5, 2], [2, 2, 5]]] as [number | [number, number], number[], number[]][]) {
    it(`rank 4 (beyond tfjs): axes ${JSON.stringify(axes)} on [${s1.join(', ')}] . [${s2.join(', ')}] matches batch_dot in float64`, () => {
      const [x, y] = [randomTensor(s1, 60), randomTensor(s2, 61)];
      const [a, b] = typeof axes === 'number' ? [axes, axes] : axes;
      const want = batchDotReference(x, y, a, b);
      const got = run(new Dot(axes), [x, y]);
      expect(got.shape).toEqual(want.shape);
      expect([...(new Dot(axes).computeOutputShape([[null, ...s1.slice(1)], [null, ...s2.slice(1)]]) as number[]).slice(1)]).toEqual(want.shape.slice(1));
      expectClose(got, want.values, { atol: 1e-5, rtol: 1e-5 });
    });
  }

  it('normalize gives cosine similarity: a vector with itself is 1, with its negation -1, and zero rows stay finite', () => {
    const x = tensor([[3, 4, 0], [0, 0, 0]]);
    const y = tensor([[-6, -8, 0], [1, 2, 3]]);
    expectClose(run(new Dot(1, { normalize: true }), [x, x]), [1, 0], { atol: 1e-6, rtol: 0 });
    expectClose(run(new Dot(1, { normalize: true }), [x, y]), [-1, 0], { atol: 1e-6, rtol: 0 });
    expectClose(run(new Dot(1, { normalize: true }), [x, y]), runTf(tfl.layers.dot({ axes: 1, normalize: true }), [x, y]).dataSync(), { atol: 1e-6, rtol: 0 });
  });
});

describe('gradients of every merge layer with respect to every input (central differences)', () => {
  for (const layer of ELEMENTWISE) {
    for (const c of CASES) {
      if (layer.name === 'subtract' && c.shapes.length !== 2) continue;
      it(`${layer.name}: ${c.what}`, () => {
        const l = layer.ours();
        // Broadcast inputs are separated at the positions they meet only when shapes match; Maximum/Minimum
        // with broadcasting use inputs on disjoint ranges instead ([-1, 0) and [0.2, 1.2)), which never tie.
        const same = c.shapes.every((s) => s.join() === c.shapes[0]!.join());
        const xs = same ? separated(c.shapes.length, c.shapes[0]!, 5) : c.shapes.map((s, i) => randomTensor(s, 31 + i, i === 0 ? -1 : 0.2 + (i - 1) * 1.2, i === 0 ? 0 : 1.2 + (i - 1) * 1.2));
        gradcheck((...ts) => run(l, ts), xs);
      });
    }
  }

  for (const [axis, shapes] of [[-1, [[2, 3], [2, 2]]], [1, [[2, 3, 2], [2, 1, 2], [2, 2, 2]]], [2, [[2, 2, 3, 1], [2, 2, 1, 1]]]] as [number, number[][]][]) {
    it(`concatenate axis ${axis}`, () => {
      const l = new Concatenate({ axis });
      gradcheck((...ts) => run(l, ts), shapes.map((s, i) => randomTensor(s, 40 + i)));
    });
  }

  const dotCases: [number | [number, number], number[], number[]][] = [
    [1, [3, 4], [3, 4]], [[2, 1], [2, 3, 4], [2, 4, 2]], [[1, 2], [2, 4, 3], [2, 2, 4]], [1, [2, 3, 2], [2, 3, 4]], [[2, 1], [2, 3, 4], [2, 4]],
    [[3, 1], [2, 2, 2, 3], [2, 3, 2]], [[1, 2], [2, 3, 2, 2], [2, 2, 3, 2]],
  ];
  for (const [axes, s1, s2] of dotCases) {
    for (const normalize of [false, true]) {
      it(`dot axes ${JSON.stringify(axes)} normalize ${normalize} on [${s1.join(', ')}] . [${s2.join(', ')}]`, () => {
        const l = new Dot(axes, { normalize });
        gradcheck((a, b) => run(l, [a!, b!]), [randomTensor(s1, 50), randomTensor(s2, 51)]);
      });
    }
  }
});

describe('shape inference on symbolic inputs', () => {
  const shapeOf = (layer: Layer, shapes: (number | null)[][]) => {
    const inputs = shapes.map((s, i) => Input({ shape: s, name: `in_${i}` }));
    return (layer.apply(inputs) as SymbolicTensor).shape;
  };

  it('element-wise layers broadcast as Keras (None is unknown and stays unknown)', () => {
    expect(shapeOf(new Add(), [[4], [4]])).toEqual([null, 4]);
    expect(shapeOf(new Multiply(), [[4], [1]])).toEqual([null, 4]);
    expect(shapeOf(new Maximum(), [[3, 4], [4]])).toEqual([null, 3, 4]);
    expect(shapeOf(new Average(), [[3, 1], [1, 5], [3, 5]])).toEqual([null, 3, 5]);
    expect(shapeOf(new Subtract(), [[null, 4], [7, 4]])).toEqual([null, null, 4]);
    expect(shapeOf(new Minimum(), [[2, 3, 1], [3, 6]])).toEqual([null, 2, 3, 6]);
  });

  it('Concatenate sums the joined axis and fills unknown dimensions from the other inputs', () => {
    expect(shapeOf(new Concatenate(), [[3], [5]])).toEqual([null, 8]);
    expect(shapeOf(new Concatenate({ axis: 1 }), [[2, 4], [3, 4], [1, 4]])).toEqual([null, 6, 4]);
    expect(shapeOf(new Concatenate({ axis: -2 }), [[null, 4], [3, 4]])).toEqual([null, null, 4]);
    expect(shapeOf(new Concatenate({ axis: 1 }), [[2, null], [3, 4]])).toEqual([null, 5, 4]);
  });

  it('Dot removes the reduced axes and gives rank-1 results a unit axis', () => {
    expect(shapeOf(new Dot(1), [[4], [4]])).toEqual([null, 1]);
    expect(shapeOf(new Dot([2, 1]), [[3, 4], [4, 5]])).toEqual([null, 3, 5]);
    expect(shapeOf(new Dot(2), [[3, 4], [5, 4]])).toEqual([null, 3, 5]);
    expect(shapeOf(new Dot([2, 1]), [[3, 4], [4]])).toEqual([null, 3]);
    expect(shapeOf(new Dot([1, 2], { normalize: true }), [[4], [3, 4]])).toEqual([null, 3]);
  });

  it('the inferred shapes are the shapes the layers compute', () => {
    const cases: [Layer, number[][]][] = [
      [new Add(), [[2, 3, 1], [2, 4]]],
      [new Concatenate({ axis: 1 }), [[2, 2, 4], [2, 3, 4]]],
      [new Dot([1, 2]), [[2, 4, 3], [2, 5, 4]]],
      [new Dot(1), [[2, 4], [2, 4]]],
    ];
    for (const [layer, shapes] of cases) {
      const symbolic = layer.computeOutputShape(shapes.map((s) => [null, ...s.slice(1)]));
      const real = run(layer, shapes.map((s, i) => randomTensor(s, i)));
      expect([2, ...(symbolic as number[]).slice(1)]).toEqual(real.shape);
    }
  });
});

describe('errors name the layer, the inputs and their shapes', () => {
  it('incompatible element-wise shapes', () => {
    const a = Input({ shape: [4], name: 'left' });
    const b = Input({ shape: [3], name: 'right' });
    let message = '';
    try { new Add({ name: 'joiner' }).apply([a, b]); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/^Add 'joiner'/);
    expect(message).toContain("'left' of shape (None, 4)");
    expect(message).toContain("'right' of shape (None, 3)");
    expect(message).toMatch(/incompatible shapes \(None, 4\) and \(None, 3\)/);
    // The same on real tensors.
    expect(() => new Multiply({ name: 'm' }).apply([tensor([[1, 2, 3, 4]]), tensor([[1, 2, 3]])])).toThrow(/Multiply 'm': inputs have incompatible shapes \(None, 4\) and \(None, 3\)/);
    expect(() => new Maximum({ name: 'mx' }).apply([Input({ shape: [2, 3] }), Input({ shape: [4, 3] })])).toThrow(/Maximum 'mx'.*\(None, 2, 3\).*\(None, 4, 3\)/);
  });

  it('Subtract takes exactly two inputs', () => {
    const [a, b, c] = [Input({ shape: [2] }), Input({ shape: [2] }), Input({ shape: [2] })];
    expect(() => new Subtract({ name: 'sub' }).apply([a!, b!, c!])).toThrow(/Subtract 'sub'.*exactly 2 inputs, got 3/);
    expect(() => new Subtract({ name: 'sub1' }).apply([a!])).toThrow(/Subtract 'sub1'.*exactly 2 inputs, got 1/);
    expect(() => new Subtract({ name: 'sub2' }).apply([tensor([[1]]), tensor([[1]]), tensor([[1]])])).toThrow(/Subtract 'sub2'.*exactly 2 inputs, got 3/);
  });

  it('a merge layer on one tensor, not a list', () => {
    expect(() => new Add({ name: 'lonely' }).apply(Input({ shape: [3], name: 'only' }))).toThrow(/Add 'lonely'.*'only' of shape \(None, 3\).*list of inputs/);
    expect(() => new Concatenate({ name: 'c' }).apply(tensor([[1, 2]]))).toThrow(/Concatenate 'c'.*list of (inputs|tensors)/);
  });

  it('Concatenate with mismatched shapes or ranks, or a bad axis', () => {
    const a = Input({ shape: [3, 4], name: 'a' });
    const b = Input({ shape: [2, 5], name: 'b' });
    expect(() => new Concatenate({ name: 'cat' }).apply([a, b])).toThrow(/Concatenate 'cat' cannot be called on 'a' of shape \(None, 3, 4\), 'b' of shape \(None, 2, 5\).*matching shapes except for the concatenation axis -1, got shapes \(None, 3, 4\), \(None, 2, 5\)/);
    expect(() => new Concatenate({ name: 'rank' }).apply([a, Input({ shape: [4] })])).toThrow(/Concatenate 'rank'.*same rank/);
    expect(() => new Concatenate({ axis: 3, name: 'far' }).apply([a, a])).toThrow(/Concatenate 'far'.*axis 3 is out of range for inputs of rank 3/);
    expect(() => new Concatenate({ axis: 0, name: 'batch' }).apply([a, a])).toThrow(/Concatenate 'batch'.*batch axis/);
    expect(() => new Concatenate({ axis: 1.5 })).toThrow(/Concatenate 'concatenate(_\d+)?': axis must be an integer, got 1.5/);
    expect(() => new Concatenate({ name: 'real' }).apply([tensor([[1, 2]]), tensor([[1, 2, 3], [4, 5, 6]])])).toThrow(/Concatenate 'real': cannot merge tensors with different batch sizes: \(1, 2\), \(2, 3\)/);
    // A built layer still checks later calls.
    const built = new Concatenate({ axis: 1, name: 'built' });
    built.apply([tensor([[[1]]]), tensor([[[2]]])]);
    expect(() => built.apply([tensor([[[1, 2]]]), tensor([[[2]]])])).toThrow(/Concatenate 'built'.*matching shapes except for the concatenation axis 1, got shapes \(1, 1, 2\), \(1, 1, 1\)/);
  });

  it('Dot with mismatched axes, wrong input counts or bad axes', () => {
    const a = Input({ shape: [3, 4], name: 'a' });
    const b = Input({ shape: [5, 6], name: 'b' });
    expect(() => new Dot(2, { name: 'dot' }).apply([a, b])).toThrow(/Dot 'dot' cannot be called on 'a' of shape \(None, 3, 4\), 'b' of shape \(None, 5, 6\).*4 \(at axis 2\) != 6 \(at axis 2\)/);
    expect(() => new Dot([1, 2], { name: 'dot2' }).apply([a, b])).toThrow(/Dot 'dot2'.*3 \(at axis 1\) != 6 \(at axis 2\)/);
    expect(() => new Dot(1, { name: 'three' }).apply([a, a, a])).toThrow(/Dot 'three'.*exactly 2 inputs, got 3/);
    expect(() => new Dot(0, { name: 'batch' }).apply([a, a])).toThrow(/Dot 'batch'.*out of range.*batch/);
    expect(() => new Dot(3, { name: 'far' }).apply([a, a])).toThrow(/Dot 'far'.*out of range/);
    expect(() => new Dot([1, 2, 3] as unknown as [number, number])).toThrow(/axes must be an integer or a pair of integers, got \[1,2,3\]/);
    expect(() => new Dot(1, { name: 'real' }).apply([tensor([[1, 2]]), tensor([[1, 2, 3]])])).toThrow(/Dot 'real'.*2 \(at axis 1\) != 3 \(at axis 1\)/);
  });

  it('different batch sizes and unknown options', () => {
    const a = Input({ shape: [2], batchSize: 3, name: 'a' });
    const b = Input({ shape: [2], batchSize: 4, name: 'b' });
    expect(() => new Add({ name: 'batches' }).apply([a, b])).toThrow(/Add 'batches'.*different batch sizes/);
    // Real tensors: Keras refuses to broadcast the batch axis (a [1, 3] and a [2, 3] batch do not merge).
    expect(() => new Add({ name: 'real' }).apply([tensor([[1, 2, 3]]), tensor([[1, 2, 3], [4, 5, 6]])])).toThrow(/Add 'real': cannot merge tensors with different batch sizes: \(1, 3\), \(2, 3\)/);
    const built = new Multiply({ name: 'built' });
    built.apply([tensor([[1, 2]]), tensor([[3, 4]])]);
    expect(() => built.apply([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])])).toThrow(/Multiply 'built': cannot merge tensors with different batch sizes/);
    expect(() => built.apply([tensor([[1, 2]]), tensor([[3, 4, 5]])])).toThrow(/Multiply 'built': inputs have incompatible shapes \(None, 2\) and \(None, 3\)/);
    expect(() => new Dot(1, { name: 'dotb' }).apply([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])])).toThrow(/Dot 'dotb': cannot merge tensors with different batch sizes/);
    expect(() => new Add({ axis: 1 } as never)).toThrow(/Add '.*': unknown option 'axis'/);
    expect(() => new Dot(1, { normalise: true } as never)).toThrow(/Dot '.*': unknown option 'normalise'.*normalize/);
  });
});

describe('masks (Keras 3)', () => {
  const masked = (shape: number[], seed: number, mask: number[][] | null) => {
    const t = randomTensor(shape, seed);
    if (mask) setMask(t, tensor(mask));
    return t;
  };
  const maskOf = (layer: Layer, xs: Tensor[]) => {
    const m = getMask(run(layer, xs));
    return m ? Array.from(m.values) : null;
  };

  it('element-wise layers: the OR of the masks, none when an input has none', () => {
    const m1 = [[1, 1, 0], [1, 0, 0]];
    const m2 = [[1, 0, 0], [1, 1, 0]];
    for (const make of [() => new Add(), () => new Subtract(), () => new Multiply(), () => new Average(), () => new Maximum(), () => new Minimum()]) {
      expect(maskOf(make(), [masked([2, 3, 4], 1, m1), masked([2, 3, 4], 2, m2)])).toEqual([1, 1, 0, 1, 1, 0]);
      expect(maskOf(make(), [masked([2, 3, 4], 1, m1), masked([2, 3, 4], 2, null)])).toBeNull();
    }
  });

  it('Concatenate: along the features the OR (a missing mask is all true), along time the masks joined', () => {
    const m1 = [[1, 1, 0], [1, 0, 0]];
    const m2 = [[0, 0, 1], [1, 1, 0]];
    expect(maskOf(new Concatenate(), [masked([2, 3, 4], 1, m1), masked([2, 3, 2], 2, m2)])).toEqual([1, 1, 1, 1, 1, 0]);
    expect(maskOf(new Concatenate(), [masked([2, 3, 4], 1, m1), masked([2, 3, 2], 2, null)])).toEqual([1, 1, 1, 1, 1, 1]);
    expect(maskOf(new Concatenate({ axis: 1 }), [masked([2, 3, 4], 1, m1), masked([2, 2, 4], 2, null)])).toEqual([1, 1, 0, 1, 1, 1, 0, 0, 1, 1]);
    expect(maskOf(new Concatenate(), [masked([2, 3, 4], 1, null), masked([2, 3, 2], 2, null)])).toBeNull();
  });

  it('Dot outputs no mask', () => {
    expect(maskOf(new Dot(2), [masked([2, 3, 4], 1, [[1, 1, 0], [1, 0, 0]]), masked([2, 3, 4], 2, [[1, 1, 0], [1, 0, 0]])])).toBeNull();
  });
});

describe('configs', () => {
  it('getConfig -> fromConfig rebuilds every merge layer with the same behaviour', () => {
    const pairs: [Layer, Tensor[]][] = [
      [new Add({ name: 'a' }), [randomTensor([2, 3], 1), randomTensor([2, 1], 2)]],
      [new Subtract({ name: 's' }), [randomTensor([2, 3], 1), randomTensor([2, 3], 2)]],
      [new Multiply({ name: 'm' }), [randomTensor([2, 3], 1), randomTensor([2, 3], 2)]],
      [new Average({ name: 'av' }), [randomTensor([2, 3], 1), randomTensor([2, 3], 2)]],
      [new Maximum({ name: 'mx' }), [randomTensor([2, 3], 1), randomTensor([2, 3], 2)]],
      [new Minimum({ name: 'mn', trainable: false }), [randomTensor([2, 3], 1), randomTensor([2, 3], 2)]],
      [new Concatenate({ axis: 1, name: 'c' }), [randomTensor([2, 2, 3], 1), randomTensor([2, 1, 3], 2)]],
      [new Dot([2, 1], { normalize: true, name: 'd' }), [randomTensor([2, 2, 3], 1), randomTensor([2, 3, 2], 2)]],
      [new Dot(-1, { name: 'd1' }), [randomTensor([2, 4], 1), randomTensor([2, 4], 2)]],
    ];
    for (const [layer, xs] of pairs) {
      const config = layer.getConfig();
      const cls = layer.constructor as unknown as { fromConfig(c: Record<string, unknown>): Layer };
      const copy = cls.fromConfig(JSON.parse(JSON.stringify(config)) as Record<string, unknown>);
      expect(copy.constructor).toBe(layer.constructor);
      expect(copy.getConfig()).toEqual(config);
      expectClose(run(copy, xs), run(layer, xs), { atol: 0, rtol: 0, label: layer.name });
    }
    expect(new Concatenate({ axis: 2 }).getConfig()).toMatchObject({ axis: 2 });
    expect(new Dot([1, 2], { normalize: true }).getConfig()).toMatchObject({ axes: [1, 2], normalize: true });
    expect(new Dot(1).getConfig()).toMatchObject({ axes: 1, normalize: false });
  });

  it('a functional model using every merge layer survives JSON and saved-artifact round trips', () => {
    const a = Input({ shape: [3, 4], name: 'a' });
    const b = Input({ shape: [3, 4], name: 'b' });
    const c = Input({ shape: [4], name: 'c' });
    const da = new Dense(4, { activation: 'tanh', name: 'da' }).apply(a) as SymbolicTensor;
    const merged = [
      new Add({ name: 'add' }).apply([da, b, c]),
      new Subtract({ name: 'sub' }).apply([a, c]),
      new Multiply({ name: 'mul' }).apply([da, b]),
      new Average({ name: 'avg' }).apply([a, b, c]),
      new Maximum({ name: 'max' }).apply([da, c]),
      new Minimum({ name: 'min' }).apply([a, b]),
    ] as SymbolicTensor[];
    const cat = new Concatenate({ axis: 1, name: 'cat' }).apply(merged) as SymbolicTensor; // [None, 18, 4]
    const dot = new Dot([2, 2], { normalize: true, name: 'dot' }).apply([cat, da]) as SymbolicTensor; // [None, 18, 3]
    const dot2 = new Dot(1, { name: 'dot2' }).apply([c, c]) as SymbolicTensor; // [None, 1]
    const out = new Concatenate({ axis: -1, name: 'out' }).apply([new Dense(2, { name: 'head' }).apply(dot) as SymbolicTensor, new Add({ name: 'bcast' }).apply([dot, dot2]) as SymbolicTensor]) as SymbolicTensor;
    expect(out.shape).toEqual([null, 18, 5]);
    const model = new Model({ inputs: [a, b, c], outputs: out, name: 'merges' });
    const xs = [randomTensor([2, 3, 4], 1), randomTensor([2, 3, 4], 2), randomTensor([2, 4], 3)];
    const expected = model.predict(xs) as Tensor;

    const json = JSON.parse(JSON.stringify(modelToJSON(model))) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const byName = Object.fromEntries(json.config.layers.map((l) => [l.config.name, l]));
    expect(byName.cat).toMatchObject({ class_name: 'Concatenate', config: { axis: 1 } });
    expect(byName.dot).toMatchObject({ class_name: 'Dot', config: { axes: [2, 2], normalize: true } });
    expect(byName.sub!.class_name).toBe('Subtract');
    clearSession();
    const rebuilt = modelFromJSON(json);
    expect(rebuilt.layers.map((l) => l.className)).toEqual(model.layers.map((l) => l.className));
    rebuilt.setWeights(model.getWeights());
    expectClose(rebuilt.predict(xs) as Tensor, expected, { atol: 0, rtol: 0 });

    const loaded = fromArtifacts(toArtifacts(model));
    expectClose(loaded.predict(xs) as Tensor, expected, { atol: 0, rtol: 0 });
  });

  it('reports the largest difference from tfjs-layers seen in this file', () => {
    // Run last (vitest keeps file order): every comparison above was within 1e-5.
    expect(worst.value).toBeLessThanOrEqual(1e-5);
    console.log(`merging: max |minikeras - tfjs| = ${worst.value.toExponential(2)} (${worst.where})`);
  });
});

/**
 * Autograd: accumulation when a tensor feeds several ops (micrograd's own test expressions, whose expected
 * values micrograd checks against PyTorch in float64), diamonds, 10,000-op chains, noGrad, and the
 * grad / grads / valueAndGrads / variableGrads entry points.
 */
import { describe, expect, it } from 'vitest';
import { expectClose } from '@minikeras/test-utils';
import * as mk from './index';
import type { Tensor } from './index';

describe('gradient accumulation (micrograd test_engine.py)', () => {
  it('test_sanity_check: y = -20, dy/dx = 46 at x = -4', () => {
    // z = 2x + 2 + x; q = relu(z) + z*x; h = relu(z*z); y = h + q + q*x
    const { value, grads } = mk.valueAndGrads((x: Tensor) => {
      const z = x.mul(2).add(2).add(x);
      const q = z.relu().add(z.mul(x));
      const h = z.mul(z).relu();
      return h.add(q).add(q.mul(x));
    })(-4);
    // z = -10, q = 0 + 40, h = 100, y = 100 + 40 - 160 = -20
    expect(value.item()).toBe(-20);
    // dz/dx = 3, dq/dx = z + 3x = -22, dh/dx = 2z * 3 = -60; dy/dx = -60 - 22 + q + x dq/dx = -60 - 22 + 40 + 88
    expect(grads[0]!.item()).toBe(46);
  });

  it('test_more_ops: g = 24.7041, dg/da = 138.8338, dg/db = 645.5773', () => {
    const { value, grads } = mk.valueAndGrads((a: Tensor, b: Tensor) => {
      let c = a.add(b);
      let d = a.mul(b).add(b.pow(3));
      c = c.add(c.add(1));
      c = c.add(mk.add(1, c).add(a.neg()));
      d = d.add(d.mul(2).add(b.add(a).relu()));
      d = d.add(mk.mul(3, d).add(b.sub(a).relu()));
      const e = c.sub(d);
      const f = e.pow(2);
      let g = f.div(2);
      g = g.add(mk.div(10, f));
      return g;
    })(-4, 2);
    expectClose(value, 24.70408163265306, { rtol: 1e-5 });
    expectClose(grads[0]!, 138.83381924198252, { rtol: 1e-5 });
    expectClose(grads[1]!, 645.5772594752186, { rtol: 1e-5 });
  });

  it('x used twice: d(x*x)/dx = 2x; c = a*b; d = c + c*a', () => {
    expect(mk.grad((x) => x.mul(x))(3).item()).toBe(6);
    const [da, db] = mk.grads((a: Tensor, b: Tensor) => { const c = a.mul(b); return c.add(c.mul(a)); })(2, 5);
    // d = ab + a^2 b: dd/da = b + 2ab = 25, dd/db = a + a^2 = 6
    expect(da!.item()).toBe(25);
    expect(db!.item()).toBe(6);
  });

  it('a diamond: w = (2x)(3x) = 6x^2, dw/dx = 12x', () => {
    const g = mk.grad((x) => { const y = x.mul(2); const z = x.mul(3); return y.mul(z); })([1, -2]);
    expect(g.arraySync()).toEqual([12, -24]);
  });

  it('a wide fan-out: sum of 100 uses of x', () => {
    const g = mk.grad((x) => { let s = mk.zeros([2]); for (let i = 0; i < 100; i++) s = s.add(x.mul(i)); return s; })([1, 1]);
    expect(g.arraySync()).toEqual([4950, 4950]); // 0 + 1 + ... + 99
  });
});

describe('deep graphs', () => {
  it('a 10,000-op chain does not overflow the stack (iterative topological sort)', () => {
    // y = ((x * 1.0001) + 1e-4) ... 5000 times: dy/dx = 1.0001^5000 = e^(5000 ln 1.0001) = 1.6486...
    const g = mk.grad((x) => { let y = x; for (let i = 0; i < 5000; i++) y = y.mul(1.0001).add(1e-4); return y; })(1);
    expectClose(g, Math.pow(1.0001, 5000), { rtol: 1e-3 });
  });

  it('variableGrads through a 10,000-op chain', () => {
    const v = mk.variable(mk.scalar(0.5));
    const { grads } = mk.variableGrads(() => { let y: Tensor = v; for (let i = 0; i < 5000; i++) y = y.add(v.mul(2e-4)); return y; });
    // 10,000 ops: y = v + 5000 * 2e-4 * v = 2v
    expectClose(grads.get(v)!, 2, { rtol: 1e-4 });
  });
});

describe('noGrad', () => {
  it('builds no graph and restores recording afterwards, even on throw', () => {
    const v = mk.variable([1, 2]);
    expect(mk.isRecording()).toBe(true);
    const y = mk.noGrad(() => { expect(mk.isRecording()).toBe(false); return v.mul(2); });
    expect(y.node).toBeNull();
    expect(y.requiresGrad).toBe(false);
    expect(mk.isRecording()).toBe(true);
    expect(() => mk.noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(mk.isRecording()).toBe(true);
    // Outside noGrad, ops on trainable variables are recorded.
    expect(v.mul(2).node?.op).toBe('mul');
  });

  it('gradients inside noGrad still work (grads turns recording back on)', () => {
    expect(mk.noGrad(() => mk.grad((x) => x.square())(3)).item()).toBe(6);
  });
});

describe('grad, grads, valueAndGrad, valueAndGrads', () => {
  it('grads returns one gradient per input', () => {
    const [da, db] = mk.grads((a: Tensor, b: Tensor) => a.mul(b).sum())([1, 2], [3, 4]);
    expect(da!.arraySync()).toEqual([3, 4]);
    expect(db!.arraySync()).toEqual([1, 2]);
  });

  it('a non-scalar output is seeded with ones (the gradient of its sum)', () => {
    expect(mk.grad((x) => x.square())([1, 2, 3]).arraySync()).toEqual([2, 4, 6]);
    expect(mk.grad((x) => mk.matmul(x, mk.ones([2, 3])))([[1, 2]]).arraySync()).toEqual([[3, 3]]);
  });

  it('an input that does not reach the output gets zeros; the identity gets ones', () => {
    const [da, db] = mk.grads((a: Tensor, _b: Tensor) => a.sum())([1, 2], [[1, 2, 3]]);
    expect(da!.arraySync()).toEqual([1, 1]);
    expect(db!.arraySync()).toEqual([[0, 0, 0]]);
    expect(mk.grad((x) => x)([5, 6]).arraySync()).toEqual([1, 1]);
  });

  it('valueAndGrad(s) return a detached value', () => {
    const { value, grad } = mk.valueAndGrad((x) => x.square().sum())([3, 4]);
    expect(value.item()).toBe(25);
    expect(value.node).toBeNull();
    expect(grad.arraySync()).toEqual([6, 8]);
    // Even when f returns its input, the value is off the graph.
    expect(mk.valueAndGrad((x) => x)([1]).value.requiresGrad).toBe(false);
    const r = mk.valueAndGrads((a: Tensor, b: Tensor) => a.div(b))(6, 3);
    expect(r.value.item()).toBe(2);
    expectClose(r.grads[0]!, 1 / 3);
    expectClose(r.grads[1]!, -6 / 9);
  });

  it('gradients flow from int32 inputs through cast', () => {
    const g = mk.grad((x) => mk.cast(x, 'float32').mul(2).sum())(mk.tensor([1, 2], [2], 'int32'));
    expect(g.arraySync()).toEqual([2, 2]);
    // float -> int32 has no gradient (as in TF): the cast output is a constant.
    expect(mk.grad((x) => mk.cast(x, 'int32').add(x).sum())([1.5]).arraySync()).toEqual([1]);
  });

  it('throws when f does not return a tensor', () => {
    expect(() => mk.grad(() => 3 as unknown as Tensor)(1)).toThrow(/^grads: the function must return a Tensor$/);
  });
});

describe('variableGrads', () => {
  it('defaults to the trainable variables that f touched', () => {
    const w = mk.variable([1, 2], { name: 'w' });
    const unused = mk.variable([5], { name: 'unused' });
    const frozen = mk.variable([3, 4], { name: 'frozen', trainable: false });
    const { value, grads } = mk.variableGrads(() => w.mul(frozen).sum());
    expect(value.item()).toBe(11); // 1*3 + 2*4
    expect([...grads.keys()]).toEqual([w]);
    expect(grads.get(w)!.arraySync()).toEqual([3, 4]);
    expect(grads.has(unused)).toBe(false);
  });

  it('with an explicit list, includes non-trainable variables and leaves them non-trainable', () => {
    const w = mk.variable([1, 2]);
    const frozen = mk.variable([3, 4], { trainable: false });
    const { grads } = mk.variableGrads(() => w.mul(frozen).sum(), [frozen]);
    expect([...grads.keys()]).toEqual([frozen]);
    expect(grads.get(frozen)!.arraySync()).toEqual([1, 2]);
    expect(frozen.requiresGrad).toBe(false);
    expect(frozen.trainable).toBe(false);
  });

  it('follows trainable being toggled after creation (freezing and unfreezing)', () => {
    const w = mk.variable([1, 2], { trainable: false });
    w.trainable = true;
    expect(mk.variableGrads(() => w.square().sum()).grads.get(w)!.arraySync()).toEqual([2, 4]);
    w.trainable = false;
    expect(mk.variableGrads(() => w.square().sum()).grads.size).toBe(0);
  });

  it('accumulates over every use of a variable', () => {
    const v = mk.variable([2]);
    // f = v*v + 3v + v^3: f' = 2v + 3 + 3v^2 = 4 + 3 + 12
    const { grads } = mk.variableGrads(() => v.mul(v).add(v.mul(3)).add(v.pow(3)).sum());
    expect(grads.get(v)!.arraySync()).toEqual([19]);
  });

  it('returns a snapshot when the loss is a variable itself', () => {
    const v = mk.variable(mk.scalar(2));
    const { value, grads } = mk.variableGrads(() => v);
    v.assign(mk.scalar(5));
    expect(value.item()).toBe(2);
    expect(grads.get(v)!.item()).toBe(1);
  });

  it('requires a scalar loss', () => {
    const v = mk.variable([1, 2]);
    expect(() => mk.variableGrads(() => v.mul(2))).toThrow(/^variableGrads: the function must return a scalar, got shape \[2\]$/);
  });

  it('a reshape of a Variable does not alias its buffer, and gradients flow through it', () => {
    const v = mk.variable([1, 2, 3, 4]);
    const r = v.reshape([2, 2]);
    const e = mk.expandDims(v, 0);
    const f = mk.flatten(v);
    const s = mk.stopGradient(v);
    v.assign(mk.tensor([5, 6, 7, 8]));
    expect(r.arraySync()).toEqual([[1, 2], [3, 4]]);
    expect(e.arraySync()).toEqual([[1, 2, 3, 4]]);
    expect(f.arraySync()).toEqual([1, 2, 3, 4]);
    expect(s.arraySync()).toEqual([1, 2, 3, 4]);
    const { grads } = mk.variableGrads(() => v.reshape([2, 2]).mul(mk.tensor([[1, 2], [3, 4]])).sum());
    expect(grads.get(v)!.arraySync()).toEqual([1, 2, 3, 4]);
  });

  it('a training loop converges: linear regression by plain gradient descent', () => {
    // y = 3x - 1 exactly; least squares recovers w = 3, b = -1.
    const x = mk.tensor([[0], [1], [2], [3]]);
    const y = mk.tensor([[-1], [2], [5], [8]]);
    const w = mk.variable(mk.zeros([1, 1])), b = mk.variable(mk.zeros([1]));
    for (let i = 0; i < 500; i++) {
      const { grads } = mk.variableGrads(() => mk.mean(mk.squaredDifference(mk.matmul(x, w).add(b), y)));
      mk.noGrad(() => { for (const [v, g] of grads) v.assign(v.sub(g.mul(0.1))); });
    }
    expectClose(w, [3], { atol: 1e-3 });
    expectClose(b, [-1], { atol: 1e-3 });
  });
});

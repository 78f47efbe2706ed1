/** The layer-test helpers must reject broken layers, or every test built on them could pass vacuously. */
import { describe, expect, it } from 'vitest';
import { add, mul, setSeed, stopGradient } from '@minikeras/tensor';
import type { Tensor, Variable } from '@minikeras/tensor';
import { Layer, checkOptions } from '../engine/layer';
import type { LayerArgs, SymbolicShape } from '../engine/layer';
import { randomTensor } from '@minikeras/test-utils';
import { checkLayerGradients, runLayerTest } from '../testing/run-layer-test';

interface ScaleArgs extends LayerArgs {
  /** Which defect to build in. */
  defect?: 'none' | 'shape' | 'gradient' | 'config' | 'unused-weight';
  factor?: number;
}

/** y = x * w with one weight per feature, and an optional deliberate defect. */
class Scale extends Layer {
  static override readonly className = 'Scale';
  readonly defect: NonNullable<ScaleArgs['defect']>;
  readonly factor: number;
  w: Variable | null = null;
  constructor(args: ScaleArgs = {}) {
    super(args);
    checkOptions(this.label, args, ['defect', 'factor']);
    this.defect = args.defect ?? 'none';
    this.factor = args.factor ?? 1;
  }
  override build(inputShape: SymbolicShape): void {
    this.w = this.addWeight('w', [inputShape[inputShape.length - 1]!], { initializer: 'random_normal' });
  }
  call(x: Tensor): Tensor {
    const w = this.w!;
    const y = mul(mul(x, w), this.factor);
    if (this.defect === 'gradient') return add(y, stopGradient(y)); // value 2xw, gradient only half of it
    if (this.defect === 'unused-weight') return mul(x, this.factor);
    return y;
  }
  override computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return this.defect === 'shape' ? [...inputShape, 1] : inputShape;
  }
  override getConfig() {
    const base = { ...super.getConfig(), defect: this.defect };
    return this.defect === 'config' ? base : { ...base, factor: this.factor };
  }
}

const opts = { inputShape: [2, 3], expectedOutputShape: [2, 3], expectedTrainableWeights: 1, expectedNonTrainableWeights: 0 } as const;

describe('runLayerTest', () => {
  it('accepts a correct layer', () => {
    const { lossBefore, lossAfter } = runLayerTest(() => new Scale({ factor: 2 }), opts);
    expect(lossAfter!).toBeLessThan(lossBefore!);
  });
  it('rejects a wrong computeOutputShape', () => {
    expect(() => runLayerTest(() => new Scale({ defect: 'shape' }), opts)).toThrow(/computeOutputShape\(\[null, 3\]\) gave \[null, 3, 1\]/);
  });
  it('rejects a wrong output shape or weight count', () => {
    expect(() => runLayerTest(() => new Scale(), { ...opts, expectedOutputShape: [2, 4] })).toThrow(/computeOutputShape|output shape/);
    expect(() => runLayerTest(() => new Scale(), { ...opts, expectedTrainableWeights: 2 })).toThrow(/1 trainable weights \(scale.*\/w\), expected 2/);
  });
  it('rejects a layer whose weights get no gradient', () => {
    expect(() => runLayerTest(() => new Scale({ defect: 'unused-weight' }), opts)).toThrow(/no gradient for trainable weight/);
  });
  it('rejects a config that does not round-trip', () => {
    expect(() => runLayerTest(() => new Scale({ defect: 'config', factor: 3 }), opts)).toThrow(/rebuilt from its config.*different inference output/);
  });
});

describe('checkLayerGradients', () => {
  it('accepts correct gradients and rejects wrong ones', () => {
    setSeed(5);
    checkLayerGradients(new Scale({ factor: 2 }), randomTensor([2, 3], 1));
    // Whichever element is checked first and off by more than the tolerance is named.
    expect(() => checkLayerGradients(new Scale({ defect: 'gradient' }), randomTensor([2, 3], 1))).toThrow(/gradient of '[^']+'\[\d+\] is .* by autograd but .* by finite differences/);
  });
});

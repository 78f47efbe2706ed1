/**
 * A generic layer check in the spirit of Keras' `run_layer_test`: output shape against `computeOutputShape`,
 * weight counts and names, one gradient-descent step that must lower a loss, and a JSON config round-trip that
 * rebuilds an equivalent layer. It throws plain `Error`s (no test-runner dependency) so it can live in `src/`.
 */
import { Random, Tensor, Variable, mean, mul, noGrad, square, sub, sum, variableGrads, formatShape } from '@minikeras/tensor';
import type { Layer, SymbolicShape } from '../engine/layer';

export interface LayerTestOptions {
  /** Input shape with the batch axis, e.g. `[2, 5]`. */
  inputShape: readonly number[];
  /** The output shape for that input, with the batch axis. */
  expectedOutputShape: readonly number[];
  expectedTrainableWeights?: number;
  expectedNonTrainableWeights?: number;
  /** Call mode for the forward pass and the gradient step (default true, as in `fit`). */
  training?: boolean;
  /** Input values; default: uniform in [-1, 1) from `seed`. Needed for layers with integer inputs. */
  input?: Tensor;
  /**
   * Rebuilds a layer from a (JSON-parsed) config; default `new Cls(config)`, enough for layers whose
   * constructor takes only an options object. Layers with positional arguments pass e.g.
   * `(c) => new Dense(c.units as number, c)`.
   */
  fromConfig?: (config: Record<string, unknown>) => Layer;
  seed?: number;
}

export interface LayerTestResult {
  layer: Layer;
  output: Tensor;
  /** Loss before and after the gradient step (both `null` for a layer without trainable weights). */
  lossBefore: number | null;
  lossAfter: number | null;
}

function fail(layer: Layer, message: string): never {
  throw new Error(`runLayerTest(${layer.className} '${layer.name}'): ${message}`);
}

const showShape = (s: SymbolicShape) => `[${s.map((d) => (d === null ? 'null' : d)).join(', ')}]`;

function sameShape(a: SymbolicShape, b: SymbolicShape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function randomInput(shape: readonly number[], seed: number): Tensor {
  const rng = new Random(seed);
  const n = shape.reduce((p, d) => p * d, 1);
  return new Tensor(Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1), shape);
}

/** Deep equality of JSON-like values (configs). */
function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

export function runLayerTest(makeLayer: () => Layer, options: LayerTestOptions): LayerTestResult {
  const { inputShape, expectedOutputShape, training = true, seed = 1 } = options;
  const layer = makeLayer();
  const x = options.input ?? randomInput(inputShape, seed);
  if (!sameShape(x.shape, inputShape)) fail(layer, `input has shape ${formatShape(x.shape)}, options.inputShape is ${formatShape(inputShape)}`);

  // Shapes: symbolic (unknown batch) and concrete, before and after building.
  const symbolicIn: SymbolicShape = [null, ...inputShape.slice(1)];
  const symbolicExpected: SymbolicShape = [null, ...expectedOutputShape.slice(1)];
  const symbolicOut = layer.computeOutputShape(symbolicIn) as SymbolicShape;
  if (!sameShape(symbolicOut, symbolicExpected)) fail(layer, `computeOutputShape(${showShape(symbolicIn)}) gave ${showShape(symbolicOut)}, expected ${showShape(symbolicExpected)}`);
  const output = layer.apply(x, { training });
  if (!sameShape(output.shape, expectedOutputShape)) fail(layer, `output shape ${formatShape(output.shape)}, expected ${formatShape(expectedOutputShape)}`);
  const concreteOut = layer.computeOutputShape(inputShape) as SymbolicShape;
  if (!sameShape(concreteOut, output.shape)) fail(layer, `computeOutputShape(${showShape(inputShape)}) gave ${showShape(concreteOut)} but the output has shape ${formatShape(output.shape)}`);
  for (let i = 0; i < output.size; i++) if (!Number.isFinite(output.values[i]!)) fail(layer, `output value ${i} is ${output.values[i]}`);

  // Weights: counts, and Keras-style names `<layer>/<weight>` that are unique.
  const trainable = layer.trainableWeights;
  const nonTrainable = layer.nonTrainableWeights;
  if (options.expectedTrainableWeights !== undefined && trainable.length !== options.expectedTrainableWeights) {
    fail(layer, `${trainable.length} trainable weights (${trainable.map((w) => w.name).join(', ')}), expected ${options.expectedTrainableWeights}`);
  }
  if (options.expectedNonTrainableWeights !== undefined && nonTrainable.length !== options.expectedNonTrainableWeights) {
    fail(layer, `${nonTrainable.length} non-trainable weights (${nonTrainable.map((w) => w.name).join(', ')}), expected ${options.expectedNonTrainableWeights}`);
  }
  const names = layer.weights.map((w) => w.name);
  if (new Set(names).size !== names.length) fail(layer, `weight names are not unique: ${names.join(', ')}`);
  for (const n of names) if (!n.startsWith(`${layer.name}/`)) fail(layer, `weight name '${n}' does not start with '${layer.name}/'`);
  const paramCount = layer.weights.reduce((p, w) => p + w.size, 0);
  if (layer.countParams() !== paramCount) fail(layer, `countParams() is ${layer.countParams()}, the weights hold ${paramCount} values`);

  // One gradient step on a squared error to a random target must lower that error.
  let lossBefore: number | null = null;
  let lossAfter: number | null = null;
  if (trainable.length > 0) {
    const target = randomInput(output.shape, seed + 1);
    const loss = () => mean(square(sub(layer.apply(x, { training }), target)));
    const { value, grads } = variableGrads(loss);
    lossBefore = value.item();
    for (const key of grads.keys()) {
      if (!trainable.includes(key)) fail(layer, `got a gradient for '${key.name}', which is not a trainable weight`);
    }
    let squaredNorm = 0;
    for (const w of trainable) {
      const g = grads.get(w);
      if (!g) fail(layer, `no gradient for trainable weight '${w.name}'`);
      if (!sameShape(g.shape, w.shape)) fail(layer, `gradient of '${w.name}' has shape ${formatShape(g.shape)}, the weight ${formatShape(w.shape)}`);
      for (let i = 0; i < g.size; i++) {
        if (!Number.isFinite(g.values[i]!)) fail(layer, `gradient of '${w.name}' has a non-finite value ${g.values[i]}`);
        squaredNorm += g.values[i]! ** 2;
      }
    }
    if (squaredNorm === 0) fail(layer, 'every gradient is zero, so training could not change the layer');
    // A step whose first-order decrease is 10% of the loss: small enough that curvature cannot undo it.
    const lr = (0.1 * lossBefore) / squaredNorm;
    const before = new Map(layer.weights.map((w) => [w, w.values.slice()]));
    noGrad(() => {
      for (const w of trainable) {
        const g = grads.get(w)!;
        for (let i = 0; i < w.size; i++) w.values[i]! -= lr * g.values[i]!;
      }
    });
    for (const w of nonTrainable) {
      // Moving statistics may change in a training-mode call, but never through the optimizer step.
      if (!training && w.values.some((v, i) => v !== before.get(w)![i])) fail(layer, `non-trainable weight '${w.name}' changed in an inference-mode step`);
    }
    lossAfter = noGrad(() => loss().item());
    if (!(lossAfter < lossBefore)) fail(layer, `one gradient step did not lower the loss: ${lossBefore} -> ${lossAfter}`);
  }

  // Config: JSON-serializable, and a layer rebuilt from it has the same config and, with the same weights,
  // computes the same inference output.
  const config = layer.getConfig();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  } catch (e) {
    fail(layer, `getConfig() is not JSON-serializable: ${(e as Error).message}`);
  }
  if (!jsonEqual(json, config)) fail(layer, `getConfig() does not survive JSON: ${JSON.stringify(config)}`);
  const Cls = layer.constructor as new (config: Record<string, unknown>) => Layer;
  const rebuilt = options.fromConfig ? options.fromConfig(json) : new Cls(json);
  if (rebuilt.className !== layer.className) fail(layer, `rebuilt layer is a ${rebuilt.className}`);
  if (!jsonEqual(rebuilt.getConfig(), config)) {
    fail(layer, `config round-trip changed the config:\n  original: ${JSON.stringify(sortKeys(config))}\n  rebuilt:  ${JSON.stringify(sortKeys(rebuilt.getConfig()))}`);
  }
  const expected = layer.apply(x, { training: false });
  rebuilt.ensureBuilt(symbolicIn);
  rebuilt.setWeights(layer.getWeights());
  const again = rebuilt.apply(x, { training: false });
  if (!sameShape(again.shape, expected.shape) || again.values.some((v, i) => Math.abs(v - expected.values[i]!) > 1e-6 * (1 + Math.abs(expected.values[i]!)))) {
    fail(layer, 'the layer rebuilt from its config, given the same weights, computes a different inference output');
  }
  return { layer, output, lossBefore, lossAfter };
}

export interface GradientCheckOptions {
  /** Call mode (BatchNormalization's batch statistics need `training: true`). Default false. */
  training?: boolean;
  eps?: number;
  rtol?: number;
  atol?: number;
  seed?: number;
  /** Also check the input gradient (default true; false for integer inputs such as Embedding ids). */
  wrtInput?: boolean;
}

/**
 * Central finite differences against autograd for a layer, with respect to its input and to every trainable
 * weight. As `gradcheck` in @minikeras/test-utils, it differentiates a random projection
 * L = sum(r * layer(x)) summed in float64, so float32 rounding stays far below the tolerance
 * (see the error analysis there). Weights are perturbed in place and restored.
 */
export function checkLayerGradients(layer: Layer, x: Tensor, options: GradientCheckOptions = {}): void {
  const { training = false, eps = 1e-2, rtol = 1e-2, atol = 1e-3, seed = 7, wrtInput = true } = options;
  const ctx = { training };
  const input = new Variable(x, { name: 'input' });
  const probe = noGrad(() => layer.apply(input, ctx));
  const rng = new Random(seed);
  const r = Float64Array.from({ length: probe.size }, () => rng.uniform() * 2 - 1);
  const rT = new Tensor(Float32Array.from(r), probe.shape);
  const projected = () => {
    const y = noGrad(() => layer.apply(input, ctx));
    let total = 0;
    for (let i = 0; i < y.size; i++) total += r[i]! * y.values[i]!;
    return total;
  };
  const targets: Variable[] = wrtInput ? [input, ...layer.trainableWeights] : layer.trainableWeights;
  if (targets.length === 0) fail(layer, 'nothing to check: no input gradient requested and no trainable weights');
  const { grads } = variableGrads(() => sum(mul(layer.apply(input, ctx), rT)), targets);
  for (const v of targets) {
    const analytic = grads.get(v)?.values ?? new Float32Array(v.size);
    for (let i = 0; i < v.size; i++) {
      const orig = v.values[i]!;
      v.values[i] = orig + eps;
      const plus = projected();
      v.values[i] = orig - eps;
      const minus = projected();
      v.values[i] = orig;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[i]!;
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
        fail(layer, `gradient of '${v.name}'[${i}] is ${a} by autograd but ${numeric} by finite differences (training: ${training})`);
      }
    }
  }
}

/**
 * Section 2: the MNIST MLP of `pnpm mnist`, trained on the bundled digits fetched from this page's data/
 * directory, then used to classify digits drawn on the pad.
 */
import { Callback, Sequential, Tensor, datasets, layers, loadModel, optimizers, setSeed } from 'minikeras';
import type { Logs, Model } from 'minikeras';
import { DrawPad, paintGray } from './draw-pad';
import { LossChart } from './loss-chart';
import { MNIST_SIZE, toMnistInput } from './preprocess';
import { byId, errorMessage, percent } from './dom';

const BATCH_SIZE = 32;

type Digits = Awaited<ReturnType<typeof datasets.mnist.loadData>>;

function mlp(): Sequential {
  return new Sequential([
    layers.Input({ shape: [28, 28] }),
    new layers.Flatten(),
    new layers.Dense(128, { activation: 'relu' }),
    new layers.Dense(10, { activation: 'softmax' }),
  ]);
}

/** Feeds the page from the training loop: batch logs are running means over the epoch so far. */
class LiveProgress extends Callback {
  private epoch = 0;

  constructor(private readonly onProgress: (epoch: number, batch: number, steps: number, logs: Logs) => void,
              private readonly onEpoch: (epoch: number, logs: Logs) => void) {
    super();
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  override onBatchEnd(batch: number, logs: Logs): void {
    this.onProgress(this.epoch, batch, this.params!.steps!, logs);
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.onEpoch(epoch, logs);
  }
}

export function setupMnist(): void {
  const section = byId('mnist');
  const trainButton = byId<HTMLButtonElement>('mnist-train');
  const epochsInput = byId<HTMLInputElement>('mnist-epochs');
  const status = byId('mnist-status');
  const progress = byId('mnist-progress');
  const epochOut = byId('mnist-epoch'), lossOut = byId('mnist-loss');
  const trainAccOut = byId('mnist-train-accuracy'), testAccOut = byId('mnist-accuracy');
  const chart = new LossChart(byId<HTMLCanvasElement>('mnist-chart'), 'epoch');
  const draw = byId('draw');
  const predictButton = byId<HTMLButtonElement>('pad-predict');
  const sampleButton = byId<HTMLButtonElement>('pad-sample');
  const hint = byId('pad-hint');
  const preview = byId<HTMLCanvasElement>('pad-preview');
  const predictionOut = byId('prediction'), confidenceOut = byId('confidence');
  const probsList = byId('probs');

  let digits: Digits | null = null;
  let model: Model | null = null;
  let training: Sequential | null = null;

  const drawHint = 'Draw a digit in the black square, large and centred works best. It is classified when you lift the pen.';
  const pad = new DrawPad(byId<HTMLCanvasElement>('pad'), () => {
    if (model) hint.textContent = drawHint;
    if (model) predict();
  });

  const showProbabilities = (probs: ArrayLike<number> | null) => {
    let top = -1;
    if (probs) for (let k = 0; k < 10; k++) if (top < 0 || probs[k]! > probs[top]!) top = k;
    probsList.replaceChildren(...Array.from({ length: 10 }, (_, k) => {
      const li = document.createElement('li');
      const p = probs ? probs[k]! : 0;
      li.innerHTML = `<b>${k}</b><span class="bar"><i style="width:${(p * 100).toFixed(1)}%"></i></span><span>${probs ? percent(p) : ''}</span>`;
      if (k === top) li.className = 'top';
      return li;
    }));
    predictionOut.textContent = top < 0 ? '–' : String(top);
    if (top < 0) delete predictionOut.dataset.class;
    else predictionOut.dataset.class = String(top);
    confidenceOut.textContent = top < 0 ? '' : `(${percent(probs![top]!)} sure)`;
  };
  showProbabilities(null);

  function predict(): void {
    if (!model) return;
    const input = toMnistInput(pad.ink(), 280, 280);
    if (!input) {
      hint.textContent = 'The pad is empty: draw a digit first.';
      showProbabilities(null);
      return;
    }
    paintGray(preview, input);
    const probs = (model.predict(new Tensor(input, [1, MNIST_SIZE, MNIST_SIZE])) as Tensor).dataSync();
    showProbabilities(probs);
  }

  async function train(): Promise<void> {
    const epochs = Number(epochsInput.value);
    if (!Number.isInteger(epochs) || epochs < 1 || epochs > 20) {
      status.textContent = 'Epochs must be a whole number from 1 to 20.';
      return;
    }
    trainButton.textContent = 'Stop';
    epochsInput.disabled = true;
    testAccOut.removeAttribute('data-accuracy');
    try {
      if (!digits) {
        section.dataset.status = 'loading';
        status.textContent = 'Loading 10,000 digits (1.6 MB)…';
        // The two bundled files are served from this page's data/ directory (build.mjs copies them).
        digits = await datasets.mnist.loadData({ normalize: true, bundledUrl: new URL('data/', location.href) });
        sampleButton.disabled = false;
      }
      const { train: trainSet, test: testSet } = digits;
      section.dataset.status = 'training';
      setSeed(42);
      const net = mlp();
      net.compile({ optimizer: new optimizers.Adam(), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
      training = net;
      chart.reset(epochs, { train: { color: '#d0421b' }, test: { color: '#2f5d9e', dots: true } });
      status.textContent = `Training on ${trainSet.x.shape[0]} digits…`;
      const live = new LiveProgress(
        (epoch, batch, steps, logs) => {
          const done = (epoch * steps + batch + 1) / (epochs * steps);
          progress.style.width = percent(done);
          epochOut.textContent = `${epoch + 1}/${epochs}`;
          lossOut.textContent = logs.loss!.toFixed(3);
          trainAccOut.textContent = percent(logs.accuracy!);
          chart.add('train', epoch + (batch + 1) / steps, logs.loss!);
          status.textContent = `Epoch ${epoch + 1}/${epochs}, batch ${batch + 1}/${steps}`;
        },
        (epoch, logs) => {
          chart.add('test', epoch + 1, logs.val_loss!);
          testAccOut.textContent = percent(logs.val_accuracy!);
        },
      );
      const start = performance.now();
      const history = await net.fit(trainSet.x, trainSet.y, {
        epochs,
        batchSize: BATCH_SIZE,
        verbose: 0,
        validationData: [testSet.x, testSet.y],
        callbacks: [live],
      });
      const seconds = (performance.now() - start) / 1000;
      const ran = history.epoch.length;
      if (ran === 0) {
        section.dataset.status = 'idle';
        status.textContent = 'Stopped before the first epoch ended; the previous model (if any) is kept.';
        return;
      }
      const accuracy = history.history.val_accuracy![ran - 1]!;
      model = net;
      testAccOut.textContent = percent(accuracy);
      testAccOut.dataset.accuracy = String(accuracy);
      status.textContent = `${net.stopTraining ? `Stopped in epoch ${ran}` : `Trained ${ran} epoch${ran > 1 ? 's' : ''}`} in ${seconds.toFixed(1)} s: ` +
        `${percent(accuracy)} of the 2,000 test digits right. Now draw a digit below.`;
      section.dataset.status = 'done';
      draw.dataset.status = 'ready';
      predictButton.disabled = false;
      exportButton.disabled = false;
      hint.textContent = drawHint;
      if (!pad.isEmpty) predict();
    } catch (e) {
      section.dataset.status = 'error';
      status.textContent = `Error: ${errorMessage(e)}`;
      console.error(e);
    } finally {
      training = null;
      trainButton.textContent = 'Train MNIST';
      epochsInput.disabled = false;
    }
  }

  trainButton.addEventListener('click', () => {
    if (training) {
      // fit finishes the current batch, then returns with the epochs completed so far.
      training.stopTraining = true;
      status.textContent = 'Stopping…';
      return;
    }
    void train();
  });
  predictButton.addEventListener('click', predict);

  // Keras 3's .keras file: the browser downloads it; Python Keras loads it with keras.saving.load_model, and
  // a .keras (or legacy .h5) file of a model taking 28x28 digits comes back in here.
  const exportButton = byId<HTMLButtonElement>('mnist-export');
  const importInput = byId<HTMLInputElement>('mnist-import');
  exportButton.addEventListener('click', async () => {
    if (!model) return;
    try {
      await model.save('downloads://mnist.keras');
      status.textContent = 'Saved mnist.keras (weights, compile config and Adam state). In Python: keras.saving.load_model("mnist.keras").';
    } catch (e) {
      status.textContent = `Error: ${errorMessage(e)}`;
      console.error(e);
    }
  });
  importInput.addEventListener('change', async () => {
    const file = importInput.files?.[0];
    if (!file) return;
    try {
      const loaded = await loadModel(file);
      const out = loaded.predict(new Tensor(new Float32Array(MNIST_SIZE * MNIST_SIZE), [1, MNIST_SIZE, MNIST_SIZE])) as Tensor;
      if (!(out instanceof Tensor) || out.shape.join() !== '1,10') throw new Error(`${file.name} is not a digit classifier: it should take 28x28 images and give 10 probabilities`);
      model = loaded;
      section.dataset.status = 'imported';
      draw.dataset.status = 'ready';
      predictButton.disabled = false;
      exportButton.disabled = false;
      status.textContent = `Loaded ${file.name}: ${loaded.countParams().toLocaleString('en')} weights${loaded.isCompiled ? `, compiled, ${loaded.optimizer.iterations} training steps so far` : ''}. Draw a digit below.`;
      hint.textContent = drawHint;
      if (!pad.isEmpty) predict();
    } catch (e) {
      status.textContent = `Error: ${errorMessage(e)}`;
      console.error(e);
    } finally {
      importInput.value = '';
    }
  });
  byId('pad-clear').addEventListener('click', () => {
    pad.clear();
    if (model) hint.textContent = drawHint;
    paintGray(preview, new Float32Array(MNIST_SIZE * MNIST_SIZE));
    showProbabilities(null);
  });
  sampleButton.addEventListener('click', () => {
    if (!digits) return;
    const { x, y } = digits.test;
    const i = Math.floor(Math.random() * x.shape[0]!);
    pad.showDigit(x.values.subarray(i * 784, (i + 1) * 784));
    hint.textContent = `Test digit #${i}; its label is ${y.values[i]}.`;
    if (model) predict();
    else paintGray(preview, toMnistInput(pad.ink(), 280, 280) ?? new Float32Array(MNIST_SIZE * MNIST_SIZE));
  });
}

/**
 * Section 1: XOR with the same 2-8-1 model as `pnpm xor`, drawing the loss curve and the decision surface
 * live from a LambdaCallback.
 */
import { Sequential, Tensor, callbacks, layers, optimizers, setSeed } from 'minikeras';
import { LossChart } from './loss-chart';
import { byId, errorMessage, percent } from './dom';

const INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]];
const TARGETS = [[0], [1], [1], [0]];
const EPOCHS = 200;
const GRID = 40;

/** Every point of a GRID x GRID lattice over [0, 1]^2, as one [GRID*GRID, 2] batch. */
function gridPoints(): Tensor {
  const values = new Float32Array(GRID * GRID * 2);
  for (let i = 0; i < GRID; i++) {
    for (let j = 0; j < GRID; j++) {
      values[(i * GRID + j) * 2] = j / (GRID - 1);
      values[(i * GRID + j) * 2 + 1] = 1 - i / (GRID - 1);
    }
  }
  return new Tensor(values, [GRID * GRID, 2]);
}

/** Blue (0) to white to the accent colour (1). */
function shade(p: number): [number, number, number] {
  const lo = [47, 93, 158], mid = [247, 247, 247], hi = [208, 66, 27];
  const [a, b, t] = p < 0.5 ? [lo, mid, p * 2] : [mid, hi, (p - 0.5) * 2];
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * t)) as [number, number, number];
}

function drawSurface(canvas: HTMLCanvasElement, model: Sequential, grid: Tensor): void {
  const p = model.predict(grid, { batchSize: GRID * GRID }).dataSync();
  const small = document.createElement('canvas');
  small.width = small.height = GRID;
  const sg = small.getContext('2d')!;
  const img = sg.createImageData(GRID, GRID);
  for (let i = 0; i < GRID * GRID; i++) {
    const [r, g, b] = shade(p[i]!);
    img.data.set([r, g, b, 255], i * 4);
  }
  sg.putImageData(img, 0, 0);
  const g = canvas.getContext('2d')!;
  g.imageSmoothingEnabled = true;
  g.drawImage(small, 0, 0, canvas.width, canvas.height);
  // The four training points, labelled with their targets.
  g.font = 'bold 11px system-ui, sans-serif';
  g.textAlign = 'center';
  g.textBaseline = 'middle';
  for (let k = 0; k < 4; k++) {
    const [x, y] = INPUTS[k]!;
    const cx = 12 + x! * (canvas.width - 24), cy = canvas.height - 12 - y! * (canvas.height - 24);
    g.beginPath();
    g.arc(cx, cy, 8, 0, 2 * Math.PI);
    g.fillStyle = '#fff';
    g.fill();
    g.lineWidth = 1.5;
    g.strokeStyle = '#1d2330';
    g.stroke();
    g.fillStyle = '#1d2330';
    g.fillText(String(TARGETS[k]![0]), cx, cy + 0.5);
  }
}

export function setupXor(): void {
  const section = byId('xor');
  const button = byId<HTMLButtonElement>('xor-train');
  const status = byId('xor-status');
  const epochOut = byId('xor-epoch'), lossOut = byId('xor-loss'), accOut = byId('xor-accuracy');
  const tbody = byId('xor-table').querySelector('tbody')!;
  const surface = byId<HTMLCanvasElement>('xor-boundary');
  const chart = new LossChart(byId<HTMLCanvasElement>('xor-chart'), 'epoch');
  const grid = gridPoints();
  let run = 0;

  const showTable = (outputs: ArrayLike<number> | null) => {
    tbody.replaceChildren(...INPUTS.map(([a, b], i) => {
      const tr = document.createElement('tr');
      const t = TARGETS[i]![0]!;
      const cells = [String(a), String(b), String(t), outputs ? outputs[i]!.toFixed(3) : '–'];
      tr.innerHTML = cells.map((c) => `<td>${c}</td>`).join('');
      if (outputs) tr.lastElementChild!.className = Math.round(outputs[i]!) === t ? 'ok' : 'bad';
      return tr;
    }));
  };
  showTable(null);

  button.addEventListener('click', async () => {
    button.disabled = true;
    section.dataset.status = 'training';
    accOut.removeAttribute('data-accuracy');
    const seed = ++run;
    status.textContent = `Training (seed ${seed})…`;
    try {
      setSeed(seed);
      const model = new Sequential([
        layers.Input({ shape: [2] }),
        new layers.Dense(8, { activation: 'tanh' }),
        new layers.Dense(1, { activation: 'sigmoid' }),
      ]);
      model.compile({ optimizer: new optimizers.Adam({ learningRate: 0.1 }), loss: 'binary_crossentropy', metrics: ['accuracy'] });
      chart.reset(EPOCHS, { loss: { color: '#d0421b' } });
      const live = new callbacks.LambdaCallback({
        onEpochEnd: (epoch, logs) => {
          chart.add('loss', epoch + 1, logs.loss!);
          epochOut.textContent = `${epoch + 1}/${EPOCHS}`;
          lossOut.textContent = logs.loss!.toFixed(4);
          accOut.textContent = percent(logs.accuracy!, 0);
          if (epoch % 5 === 4) drawSurface(surface, model, grid);
        },
      });
      const start = performance.now();
      // One yield per epoch (instead of per ~16 ms) so 200 tiny epochs play as a short animation.
      await model.fit(INPUTS, TARGETS, { epochs: EPOCHS, batchSize: 4, verbose: 0, yieldEvery: 'epoch', callbacks: [live] });
      const seconds = (performance.now() - start) / 1000;
      const outputs = model.predict(INPUTS).dataSync();
      const correct = TARGETS.filter(([t], i) => Math.round(outputs[i]!) === t).length;
      const accuracy = correct / INPUTS.length;
      drawSurface(surface, model, grid);
      showTable(outputs);
      accOut.textContent = percent(accuracy, 0);
      accOut.dataset.accuracy = String(accuracy);
      status.textContent = accuracy === 1
        ? `Done in ${seconds.toFixed(1)} s: all four cases right. Train again for a new random start.`
        : `Done in ${seconds.toFixed(1)} s: ${correct} of 4 right; this random start got stuck. Train again.`;
      section.dataset.status = 'done';
    } catch (e) {
      section.dataset.status = 'error';
      status.textContent = `Error: ${errorMessage(e)}`;
      console.error(e);
    } finally {
      button.disabled = false;
    }
  });
}

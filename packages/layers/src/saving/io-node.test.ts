import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync, renameSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Tensor, setSeed } from '@minikeras/tensor';
import { Sequential } from '../models/sequential';
import { Dense } from '../layers/dense';
import { Flatten } from '../layers/core';
import { loadModel, saveModel } from './load-model';
import { SHARD_BYTES } from './model-json';

let root: string;
beforeEach(() => { root = mkdtempSync(join(tmpdir(), 'minikeras-save-')); });
afterEach(() => { vi.restoreAllMocks(); rmSync(root, { recursive: true, force: true }); });

function model(units = 3, seed = 1): Sequential {
  setSeed(seed);
  const m = new Sequential({ name: 'm', layers: [new Dense(units, { inputShape: [4], activation: 'tanh', name: 'a' }), new Dense(2, { name: 'b' })] });
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
}

const x = new Tensor(Float32Array.from({ length: 8 }, (_, i) => i / 3 - 1), [2, 4]);
const predict = (m: Sequential) => Array.from(m.predict(x).values);

describe('saving to a directory', () => {
  it('writes model.json and group1-shard1of1.bin and loads them back (path, file:// URL, model.json path)', async () => {
    const m = model();
    await m.fit(x, new Tensor(new Float32Array(4).fill(0.5), [2, 2]), { epochs: 2, verbose: 0 });
    const dir = join(root, 'saved');
    const result = await saveModel(m, dir);
    expect(readdirSync(dir).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(Object.keys(json).sort()).toEqual(['convertedBy', 'format', 'generatedBy', 'modelTopology', 'trainingConfig', 'weightsManifest']);
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
    // (4*3 + 3 + 3*2 + 2) model floats + (1 + 2 * 23) Adam values, 4 bytes each
    expect(statSync(join(dir, 'group1-shard1of1.bin')).size).toBe((23 + 47) * 4);
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((23 + 47) * 4);
    for (const target of [dir, pathToFileURL(dir).href, join(dir, 'model.json')]) {
      const back = (await loadModel(target) as Sequential);
      expect(predict(back)).toEqual(predict(m));
      expect(back.optimizer.iterations).toBe(2);
    }
    // Nothing but the save itself is left beside it.
    expect(readdirSync(root)).toEqual(['saved']);
  });

  it("splits weights into tfjs' 4 MB shards", async () => {
    // 1100 * 1000 + 1000 = 1,101,000 floats = 4,404,000 bytes: one full 4,194,304-byte shard and the rest.
    const big = new Sequential({ name: 'big', layers: [new Dense(1000, { inputShape: [1100], name: 'wide' })] });
    const dir = join(root, 'big');
    await saveModel(big, dir);
    expect(readdirSync(dir).sort()).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin', 'model.json']);
    expect(statSync(join(dir, 'group1-shard1of2.bin')).size).toBe(SHARD_BYTES);
    expect(SHARD_BYTES).toBe(4194304);
    expect(statSync(join(dir, 'group1-shard2of2.bin')).size).toBe(4404000 - 4194304);
    const back = (await loadModel(dir) as Sequential);
    expect(Array.from(back.getWeights()[0]!.values.slice(-5))).toEqual(Array.from(big.getWeights()[0]!.values.slice(-5)));
    truncateSync(join(dir, 'group1-shard1of2.bin'), SHARD_BYTES - 8);
    await expect(loadModel(dir)).rejects.toThrow(/group1-shard1of2\.bin: truncated: expected 4194304 bytes .* but the file has 4194296/);
  });

  it('overwrites a previous save completely', async () => {
    const dir = join(root, 'ckpt');
    await saveModel(new Sequential({ name: 'big', layers: [new Dense(1000, { inputShape: [1100], name: 'wide' })] }), dir);
    const small = model();
    await saveModel(small, dir);
    expect(readdirSync(dir).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect(predict((await loadModel(dir) as Sequential))).toEqual(predict(small));
  });

  it('refuses to replace a directory that holds other files, and a file', async () => {
    const dir = join(root, 'mine');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    await expect(saveModel(model(), dir)).rejects.toThrow(/holds files that are not part of a saved model \(notes\.txt\)/);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
    writeFileSync(join(root, 'afile'), 'x');
    await expect(saveModel(model(), join(root, 'afile'))).rejects.toThrow(/exists and is not a directory/);
  });
});

describe('a failed save keeps the previous one', () => {
  it('a write that fails midway (disk full) leaves the previous save loadable and no temporary files', async () => {
    const dir = join(root, 'ckpt');
    const first = model(3, 1);
    await saveModel(first, dir);
    const before = readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]);

    const fs = process.getBuiltinModule('node:fs/promises');
    const realOpen = fs.open.bind(fs);
    let opened = 0;
    vi.spyOn(fs, 'open').mockImplementation((async (...args: Parameters<typeof fs.open>) => {
      const handle = await realOpen(...args);
      if (args[1] !== 'w' || ++opened < 2) return handle;
      // The second file: write half of it, then fail as a full disk does.
      return Object.assign(Object.create(handle), {
        writeFile: async (data: Uint8Array | string) => {
          const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
          await handle.write(bytes.subarray(0, bytes.length >> 1));
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        },
        close: () => handle.close(),
        sync: () => handle.sync(),
      });
    }) as typeof fs.open);

    await expect(saveModel(model(5, 2), dir)).rejects.toThrow(/could not save to '.*ckpt': ENOSPC.*The previous save there is unchanged/);
    vi.restoreAllMocks();
    expect(readdirSync(root)).toEqual(['ckpt']);
    expect(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))])).toEqual(before);
    expect(predict((await loadModel(dir) as Sequential))).toEqual(predict(first));
  });

  it('a serialization error writes nothing at all', async () => {
    const m = new Sequential([new Dense(2, { inputShape: [2], activation: (t) => t, name: 'custom' })]);
    await expect(saveModel(m, join(root, 'never'))).rejects.toThrow(/activation '.*' is a custom function, which cannot be saved/);
    expect(readdirSync(root)).toEqual([]);
  });

  it('a save killed between its two renames is recovered on load, and its leftovers are cleaned by the next save', async () => {
    const dir = join(root, 'ckpt');
    const first = model(3, 1);
    await saveModel(first, dir);
    // What a process killed after moving the old save aside leaves behind (pid 999999999 cannot be alive).
    renameSync(dir, join(root, '.ckpt.old-999999999-1-0'));
    mkdirSync(join(root, '.ckpt.tmp-999999999-1-0'));
    writeFileSync(join(root, '.ckpt.tmp-999999999-1-0', 'group1-shard1of1.bin'), 'half');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(predict((await loadModel(dir) as Sequential))).toEqual(predict(first));
    expect(warn.mock.calls[0]![0]).toMatch(/interrupted while replacing it left the previous model at '.*\.ckpt\.old-999999999-1-0'/);
    const second = model(4, 2);
    await saveModel(second, dir);
    expect(readdirSync(root)).toEqual(['ckpt']);
    expect(predict((await loadModel(dir) as Sequential))).toEqual(predict(second));
  });
});

describe('loading checks every file', () => {
  async function saved(): Promise<string> {
    const dir = join(root, 'm');
    await saveModel(model(), dir);
    return dir;
  }

  it('truncated .bin', async () => {
    const dir = await saved();
    truncateSync(join(dir, 'group1-shard1of1.bin'), 50);
    // 23 model floats + the optimizer's int32 iteration count (never trained: no slots yet) = 96 bytes
    await expect(loadModel(dir)).rejects.toThrow(/group1-shard1of1\.bin: truncated: expected 96 bytes \(recorded in .*model\.json when it was saved\) but the file has 50/);
    // A file tfjs wrote has no shard record: the weights manifest gives the size.
    const file = join(dir, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    delete json.weightsManifest[0].shardIntegrity;
    writeFileSync(file, JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(/group1-shard1of1\.bin: truncated: expected 96 bytes \(from the weightsManifest in .*model\.json\) but the file has 50/);
  });

  it('edited shapes in model.json', async () => {
    const dir = await saved();
    const file = join(dir, 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8'));
    // Same byte count (4*3 = 3*4), different shape: only the config check can catch it.
    json.weightsManifest[0].weights[0].shape = [3, 4];
    writeFileSync(file, JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: weight 'a\/kernel' has shape \[3, 4\] in the weights manifest, but the model config gives the layer a weight of shape \[4, 3\]/);
    json.weightsManifest[0].weights[0].shape = [4, 4];
    writeFileSync(file, JSON.stringify(json));
    // [4, 4] needs 4 more floats than the file holds: 96 + 16 = 112 bytes
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: weightsManifest\[0\]\.weights need 112 bytes, but its shards were saved with 96/);
    delete json.weightsManifest[0].shardIntegrity;
    writeFileSync(file, JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(/group1-shard1of1\.bin: truncated: expected 112 bytes .* but the file has 96/);
  });

  it('missing shard, missing model.json, missing directory', async () => {
    const dir = await saved();
    rmSync(join(dir, 'group1-shard1of1.bin'));
    await expect(loadModel(dir)).rejects.toThrow(/group1-shard1of1\.bin: missing: .*model\.json lists it in weightsManifest\[0\]\.paths/);
    rmSync(join(dir, 'model.json'));
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: missing: '.*' exists but has no model\.json/);
    await expect(loadModel(join(root, 'nowhere'))).rejects.toThrow(/missing: no saved model at/);
  });

  it('garbage JSON and an unknown layer class', async () => {
    const dir = await saved();
    const file = join(dir, 'model.json');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, text.length / 2));
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: not valid JSON/);
    writeFileSync(file, text.replace('"class_name":"Dense"', '"class_name":"Dense3D"'));
    await expect(loadModel(dir)).rejects.toThrow(/model\.json: .*layer 0: layer class 'Dense3D' is not available in minikeras \(did you mean 'Dense'\?\)/);
    writeFileSync(file, text.replace('"group1-shard1of1.bin"', '"../outside.bin"'));
    await expect(loadModel(dir)).rejects.toThrow(/weight path '\.\.\/outside\.bin' leaves the model directory/);
  });

  it('a model without weights saves an empty manifest and loads', async () => {
    const dir = join(root, 'flat');
    await saveModel(new Sequential([new Flatten({ inputShape: [2, 2], name: 'f' })]), dir);
    expect(readdirSync(dir)).toEqual(['model.json']);
    expect(((await loadModel(dir) as Sequential)).outputShape).toEqual([null, 4]);
  });
});

/**
 * HDF5 through h5wasm (the HDF5 C library compiled to WebAssembly), loaded with import() on first use so a
 * bundle that never touches .keras / .h5 files does not carry it. A file is read whole into a plain tree of
 * groups, datasets and attributes, and written from one: the Keras formats above work on that tree only, in
 * Node and in browsers alike (h5wasm's in-memory file system, no paths).
 */
import { ModelFormatError } from './errors';

/** An attribute value as Keras writes them: a string, a list of strings, or numbers. */
export type H5Attr = string | string[] | number | number[] | Float64Array | Float32Array | Int32Array;

export interface H5Dataset {
  kind: 'dataset';
  shape: number[];
  dtype: 'float32' | 'int32';
  value: Float32Array | Int32Array;
  attrs: Record<string, H5Attr>;
}

export interface H5Group {
  kind: 'group';
  attrs: Record<string, H5Attr>;
  children: Map<string, H5Group | H5Dataset>;
}

export function group(attrs: Record<string, H5Attr> = {}): H5Group {
  return { kind: 'group', attrs, children: new Map() };
}

/** The group at `path` ('a/b/c'), created with its parents when `create` is set. */
export function groupAt(root: H5Group, path: string, create = false): H5Group | null {
  let g = root;
  for (const part of path.split('/').filter((p) => p !== '')) {
    let child = g.children.get(part);
    if (!child) {
      if (!create) return null;
      child = group();
      g.children.set(part, child);
    }
    if (child.kind !== 'group') return null;
    g = child;
  }
  return g;
}

export function entryAt(root: H5Group, path: string): H5Group | H5Dataset | null {
  const parts = path.split('/').filter((p) => p !== '');
  const last = parts.pop();
  const parent = groupAt(root, parts.join('/'));
  if (!parent) return null;
  return last === undefined ? parent : parent.children.get(last) ?? null;
}

/** Every dataset below `g`, by path relative to it. */
export function datasetPaths(g: H5Group, prefix = ''): string[] {
  const out: string[] = [];
  for (const [name, child] of g.children) {
    const p = prefix ? `${prefix}/${name}` : name;
    if (child.kind === 'dataset') out.push(p);
    else out.push(...datasetPaths(child, p));
  }
  return out;
}

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** HDF5's superblock signature sits at byte 0, 512, 1024, 2048, ... */
export function isHdf5(bytes: Uint8Array): boolean {
  for (let at = 0; at + 8 <= bytes.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((b, i) => bytes[at + i] === b)) return true;
  }
  return false;
}

type H5Module = typeof import('h5wasm');
type H5Lib = H5Module['default'] & { FS: { writeFile(name: string, data: Uint8Array): void; readFile(name: string): Uint8Array; unlink(name: string): void } };
let loading: Promise<H5Lib> | null = null;

async function h5(): Promise<H5Lib> {
  loading ??= (async () => {
    const mod = await import('h5wasm');
    const module = await mod.default.ready;
    return Object.assign(Object.create(mod.default) as H5Module['default'], { FS: module.FS as unknown as H5Lib['FS'] });
  })();
  return loading;
}

let fileCounter = 0;
const tempName = () => `/minikeras-${Date.now().toString(36)}-${(fileCounter++).toString(36)}.h5`;

type H5Entity = ReturnType<InstanceType<H5Module['default']['File']>['get']>;
interface HasAttrs { attrs: Record<string, { value: unknown; dtype: unknown; shape: number[] | null }> }

function readAttrs(obj: HasAttrs): Record<string, H5Attr> {
  const out: Record<string, H5Attr> = {};
  for (const [name, attr] of Object.entries(obj.attrs)) {
    let v = attr.value;
    if (typeof v === 'bigint') v = Number(v);
    if (ArrayBuffer.isView(v) && !(v instanceof Float64Array || v instanceof Float32Array || v instanceof Int32Array)) v = Array.from(v as unknown as ArrayLike<number>, Number);
    if (Array.isArray(v)) v = v.map((x) => (typeof x === 'bigint' ? Number(x) : x));
    out[name] = v as H5Attr;
  }
  return out;
}

function readDataset(ds: { shape: number[] | null; dtype: unknown; value: unknown }, path: string, file: string): H5Dataset {
  const shape = ds.shape ?? [];
  const dtype = ds.dtype;
  let raw = ds.value;
  if (typeof raw === 'number' || typeof raw === 'bigint') raw = [Number(raw)];
  let value: Float32Array | Int32Array;
  let kind: 'float32' | 'int32';
  if (dtype === '<f' || dtype === '<d' || dtype === '>f' || dtype === '>d') {
    value = Float32Array.from(raw as ArrayLike<number>);
    kind = 'float32';
  } else if (dtype === '<i' || dtype === '>i' || dtype === '<q' || dtype === '>q' || dtype === '<h' || dtype === '<b' || dtype === '<B' || dtype === '<H' || dtype === '<I' || dtype === '<Q') {
    value = Int32Array.from(raw as ArrayLike<number | bigint>, Number);
    kind = 'int32';
  } else {
    throw new ModelFormatError(file, `dataset '${path}' has HDF5 type ${JSON.stringify(dtype)}; minikeras reads float32/float64 and integer weights`);
  }
  const size = shape.reduce((p, d) => p * d, 1);
  if (value.length !== size) throw new ModelFormatError(file, `dataset '${path}' has shape [${shape.join(', ')}] but ${value.length} values`);
  return { kind: 'dataset', shape: [...shape], dtype: kind, value, attrs: readAttrs(ds as unknown as HasAttrs) };
}

/** Reads an HDF5 file into a tree. Throws a ModelFormatError naming `file` when it is not HDF5. */
export async function readH5(bytes: Uint8Array, file: string): Promise<H5Group> {
  if (!isHdf5(bytes)) throw new ModelFormatError(file, 'is not an HDF5 file (no HDF5 signature)');
  const lib = await h5();
  const name = tempName();
  lib.FS.writeFile(name, bytes);
  let f: InstanceType<typeof lib.File> | null = null;
  try {
    f = new lib.File(name, 'r');
    const walk = (g: { keys(): string[]; get(p: string): H5Entity } & HasAttrs, prefix: string): H5Group => {
      const out = group(readAttrs(g));
      for (const key of g.keys()) {
        const child = g.get(key) as unknown as { type?: string; keys?: () => string[] } | null;
        const path = prefix ? `${prefix}/${key}` : key;
        if (child instanceof lib.Group) out.children.set(key, walk(child as never, path));
        else if (child instanceof lib.Dataset) out.children.set(key, readDataset(child as never, path, file));
      }
      return out;
    };
    return walk(f as never, '');
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError(file, `cannot be read as HDF5 (${(e as Error).message})`);
  } finally {
    try { f?.close(); } catch { /* already closed */ }
    try { lib.FS.unlink(name); } catch { /* not created */ }
  }
}

/** Writes a tree as an HDF5 file and returns its bytes. */
export async function writeH5(root: H5Group): Promise<Uint8Array> {
  const lib = await h5();
  const name = tempName();
  const f = new lib.File(name, 'w');
  let closed = false;
  try {
    const writeAttrs = (target: { create_attribute: (n: string, d: never, s?: number[] | null, t?: string | null) => void }, attrs: Record<string, H5Attr>) => {
      for (const [k, v] of Object.entries(attrs)) {
        if (v instanceof Float64Array) target.create_attribute(k, v as never, [v.length], '<d');
        else if (Array.isArray(v) && v.length === 0) target.create_attribute(k, new Float64Array(0) as never, [0], '<d');
        else target.create_attribute(k, v as never);
      }
    };
    const walk = (g: InstanceType<typeof lib.Group>, tree: H5Group) => {
      writeAttrs(g as never, tree.attrs);
      for (const [key, child] of tree.children) {
        if (child.kind === 'group') {
          const sub = g.create_group(key);
          walk(sub, child);
        } else {
          const ds = g.create_dataset({ name: key, data: child.value, shape: child.shape, dtype: child.dtype === 'int32' ? '<i' : '<f' });
          writeAttrs(ds as never, child.attrs);
        }
      }
    };
    walk(f, root);
    f.close();
    closed = true;
    return lib.FS.readFile(name);
  } finally {
    if (!closed) f.close();
    try { lib.FS.unlink(name); } catch { /* not created */ }
  }
}

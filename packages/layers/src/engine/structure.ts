/**
 * Nested structures of tensors, as Keras' `tree` module handles them: a leaf, an array of structures, or a
 * plain record of structures. Layers and models take and return these; flattening walks arrays in order and
 * records in key insertion order (Keras sorts dict keys; we keep the order the user wrote, which is also the
 * order tfjs and Keras 3 save a model's named inputs and outputs in).
 */

/** A leaf, an array of nested values, or a record of nested values. */
export type Nested<T> = T | readonly Nested<T>[] | { readonly [key: string]: Nested<T> };

function isRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The leaves of `value` in order; `isLeaf` decides what counts as a leaf (tensors are objects too). */
export function flatten<T>(value: Nested<T>, isLeaf: (v: unknown) => v is T): T[] {
  const out: T[] = [];
  const walk = (v: unknown): void => {
    if (isLeaf(v)) out.push(v);
    else if (Array.isArray(v)) for (const item of v) walk(item);
    else if (isRecord(v)) for (const key of Object.keys(v)) walk(v[key]);
    else if (v !== null && v !== undefined) throw new Error(`expected a tensor, an array or a record of tensors, got ${describeValue(v)}`);
  };
  walk(value);
  return out;
}

/** Same structure as `value`, each leaf replaced by `fn(leaf)`. */
export function mapStructure<T, U>(value: Nested<T>, isLeaf: (v: unknown) => v is T, fn: (leaf: T, index: number) => U): Nested<U> {
  let i = 0;
  const walk = (v: unknown): unknown => {
    if (isLeaf(v)) return fn(v, i++);
    if (Array.isArray(v)) return v.map(walk);
    if (isRecord(v)) return Object.fromEntries(Object.keys(v).map((k) => [k, walk(v[k])]));
    return v;
  };
  return walk(value) as Nested<U>;
}

/** Rebuilds `template`'s structure from flat leaves (the inverse of `flatten`). */
export function packAs<T, U>(template: Nested<T>, isLeaf: (v: unknown) => v is T, leaves: readonly U[]): Nested<U> {
  let i = 0;
  const out = mapStructure(template, isLeaf, () => leaves[i++]!);
  if (i !== leaves.length) throw new Error(`packAs: the structure has ${i} leaves, got ${leaves.length} values`);
  return out;
}

/** A short description of a value for error messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

export { isRecord };

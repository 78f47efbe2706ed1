/** Shapes with unknown dimensions, and structures of them (what `build` and `computeOutputShape` take). */

/** A shape whose batch (or any unknown) dimension is `null`, printed by Keras as `None`. */
export type SymbolicShape = readonly (number | null)[];

/** One shape, or an array or record of shapes: the input shape of a layer called on a structure of tensors. */
export type ShapeStructure = SymbolicShape | readonly ShapeStructure[] | { readonly [key: string]: ShapeStructure };

/** True for a single shape (an array of numbers and nulls; `[]` is the shape of a scalar). */
export function isShape(value: unknown): value is SymbolicShape {
  return Array.isArray(value) && value.every((d) => d === null || typeof d === 'number');
}

/** A shape as Keras prints it, a Python tuple: `(None, 4)`, `(3,)`, `()`. */
export function formatSymbolicShape(shape: SymbolicShape): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** Any shape structure, as Keras prints it: `(None, 4)` or `[(None, 4), (None, 4)]`. */
export function formatShapeStructure(s: ShapeStructure): string {
  if (isShape(s)) return formatSymbolicShape(s);
  if (Array.isArray(s)) return `[${(s as ShapeStructure[]).map(formatShapeStructure).join(', ')}]`;
  return `{${Object.entries(s as Record<string, ShapeStructure>).map(([k, v]) => `${k}: ${formatShapeStructure(v)}`).join(', ')}}`;
}

/** Whether a concrete or symbolic shape fits an expected one (`null` matches any size). */
export function shapeCompatible(actual: SymbolicShape, expected: SymbolicShape): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (a !== null && e !== null && a !== e) return false;
  }
  return true;
}

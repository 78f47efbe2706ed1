/**
 * The one boundary where camelCase configs meet Keras' snake_case JSON
 * (`{ module, class_name, config, registered_name }`, as `keras.saving.serialize_keras_object` writes it).
 */

export interface KerasObjectJson {
  module?: string;
  class_name: string;
  config: Record<string, unknown>;
  registered_name?: string | null;
}

export const toSnakeCase = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const toCamelCase = (key: string): string => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

export function snakeKeys(config: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[toSnakeCase(k)] = v;
  return out;
}

/**
 * camelCases the keys of a Keras config and checks them against the options the class accepts.
 * `dtype` is dropped: minikeras computes in float32 only.
 */
export function camelKeys(owner: string, config: Record<string, unknown>, known: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === 'dtype') continue;
    const key = toCamelCase(k);
    if (!known.includes(key)) {
      throw new Error(`${owner}: unknown config key '${k}'; expected one of ${known.map((n) => `'${toSnakeCase(n)}'`).join(', ')}`);
    }
    out[key] = v;
  }
  return out;
}

export function isKerasObjectJson(x: unknown): x is KerasObjectJson {
  return typeof x === 'object' && x !== null && typeof (x as { class_name?: unknown }).class_name === 'string';
}

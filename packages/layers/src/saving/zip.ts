/**
 * The `.keras` zip through fflate, loaded with import() on first use. Keras writes its three members
 * stored (uncompressed), in the order metadata.json, config.json, model.weights.h5; so do we.
 */
import { ModelFormatError } from './errors';

const EOCD = [0x50, 0x4b, 0x05, 0x06];

/** Whether the bytes end with a zip's end-of-central-directory record (a truncated zip does not). */
function hasEndRecord(bytes: Uint8Array): boolean {
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= stop; i--) {
    if (bytes[i] === EOCD[0] && bytes[i + 1] === EOCD[1] && bytes[i + 2] === EOCD[2] && bytes[i + 3] === EOCD[3]) return true;
  }
  return false;
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 0x03 || bytes[2] === 0x05);
}

/** The members of a zip, by name. */
export async function unzip(bytes: Uint8Array, file: string): Promise<Record<string, Uint8Array>> {
  if (!isZip(bytes)) throw new ModelFormatError(file, 'is not a .keras file: a .keras file is a zip archive, and this does not start with a zip header');
  if (!hasEndRecord(bytes)) throw new ModelFormatError(file, `the zip archive is truncated (${bytes.length} bytes, no end-of-archive record); the file was cut off while copying or saving`);
  const { unzipSync } = await import('fflate');
  try {
    return unzipSync(bytes);
  } catch (e) {
    throw new ModelFormatError(file, `the zip archive is corrupt or truncated (${(e as Error).message})`);
  }
}

/** A zip of `members` in the given order, stored uncompressed as Keras writes them. */
export async function zip(members: [string, Uint8Array][]): Promise<Uint8Array> {
  const { zipSync } = await import('fflate');
  const input: Record<string, [Uint8Array, { level: 0 }]> = {};
  for (const [name, data] of members) input[name] = [data, { level: 0 }];
  return zipSync(input);
}

import { IdxError } from './errors';
import { isNode, loadNodeIo } from './runtime';

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses gzip bytes: with node:zlib on Node, with the standard `DecompressionStream` in a
 * browser. A corrupt or truncated stream throws an `IdxError` naming `fileName`.
 */
export async function gunzip(bytes: Uint8Array, fileName: string): Promise<Uint8Array> {
  if (isNode()) return (await loadNodeIo()).gunzip(bytes, fileName);
  return gunzipWeb(bytes, fileName);
}

/** @internal The browser path of `gunzip` (exported so the tests can run it on Node too). */
export async function gunzipWeb(bytes: Uint8Array, fileName: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new IdxError(fileName, `corrupt or truncated gzip data (${e instanceof Error ? e.message : String(e)})`);
  }
}

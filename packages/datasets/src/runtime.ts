// Where we run. Everything that needs Node (files, zlib, hashing, the download cache) lives in
// node-io.ts and download.ts, which are loaded with import() only on Node and only when used, so a
// browser bundle of this package never evaluates them.

/** True on Node (and runtimes that present themselves as Node). */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

export function loadNodeIo(): Promise<typeof import('./node-io')> {
  return import('./node-io');
}

export function loadDownloader(): Promise<typeof import('./download')> {
  return import('./download');
}

export function loadTextIo(): Promise<typeof import('./text-io')> {
  return import('./text-io');
}

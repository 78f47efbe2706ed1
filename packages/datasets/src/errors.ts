/** Base class of every error this package throws on purpose (bad files, missing data, failed downloads). */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** An IDX file (or its gzip wrapper) is malformed. The message starts with the file's name. */
export class IdxError extends DatasetError {
  override name = 'IdxError';
  constructor(
    /** The file (or the name given for in-memory bytes) that was wrong. */
    readonly fileName: string,
    /** What was wrong, without the file name. */
    readonly problem: string,
  ) {
    super(`${fileName}: ${problem}`);
  }
}

/** A download failed or produced bytes that did not match the expected SHA-256. Nothing was cached. */
export class DownloadError extends DatasetError {
  override name = 'DownloadError';
  constructor(
    readonly url: string,
    problem: string,
  ) {
    super(`${url}: ${problem}`);
  }
}

/** @internal An error's message plus its cause's, as undici puts the useful part in `cause`. */
export function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return `${e.message}${cause}`;
}

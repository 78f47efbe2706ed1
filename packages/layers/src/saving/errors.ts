/**
 * The saving error, in a module of its own: the Node and browser file back-ends are loaded with import(), and
 * a bundler initializes everything such a module imports lazily (esbuild wraps it, with all of its imports,
 * in an init function, which turns every module-level constant of the tensor kernels into a slower mutable
 * binding). Importing only this and model-json keeps the rest of the library out of that.
 */

/** An error while reading a saved model: names the file (or 'model JSON') and the problem. */
export class ModelFormatError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ModelFormatError';
  }
}

/** Package name -> absolute path of its src/index.ts, from the `paths` of tsconfig.base.json. */
export function workspaceSources(): Record<string, string>;

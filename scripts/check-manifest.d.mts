/** The problems of the package in `dir` that make it unfit to pack (empty when it is fit). */
export function checkManifest(dir: string): string[];

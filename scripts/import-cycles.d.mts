/** One strongly connected group of files and concrete cycles (repo-relative file chains) through all of them. */
export interface CycleGroup { files: string[]; cycles: string[][] }
export function valueImports(file: string): string[];
export function buildGraph(root?: string): Map<string, Set<string>>;
export function findImportCycles(root?: string): CycleGroup[];
export function formatCycles(groups: CycleGroup[]): string;

export declare const defaultOutDir: string;
export declare function buildPage(outDir?: string): Promise<number>;

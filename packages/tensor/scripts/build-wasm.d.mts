/** Types for build-wasm.mjs, so that TypeScript tests can import it. */
export declare const WAT_PATH: string;
export declare const GENERATED_PATH: string;
export declare function assembleKernels(source?: string, relaxed?: boolean): Promise<Uint8Array>;
export declare function relaxedSource(source?: string): string;
export declare function renderGeneratedModule(): Promise<string>;

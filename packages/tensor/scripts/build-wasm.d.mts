/** Types for build-wasm.mjs, so that TypeScript tests can import it. */
export declare const WAT_PATH: string;
export declare const GENERATED_PATH: string;
export declare function assembleKernels(source?: string): Promise<Uint8Array>;
export declare function renderGeneratedModule(): Promise<string>;

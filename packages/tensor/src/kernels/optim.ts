/** Fused optimizer update loops, in place over Float32Arrays. */
export {};

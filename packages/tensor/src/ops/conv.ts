/** conv2d, maxPool, avgPool (NHWC). */
export {};

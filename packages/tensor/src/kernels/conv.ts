/** Convolution and pooling kernels (NHWC). */
export {};

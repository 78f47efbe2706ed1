export { Merge, Add, Subtract, Multiply, Average, Maximum, Minimum } from './merge';
export { Concatenate } from './concatenate';
export type { ConcatenateArgs } from './concatenate';
export { Dot } from './dot';
export type { DotArgs } from './dot';

/** The slice of convnetjs 0.3.0 (no typings of its own) that the bench uses. */
declare module 'convnetjs' {
  export class Vol {
    constructor(sx: number, sy: number, depth: number, fill?: number);
    w: Float64Array;
  }
  export class Net {
    makeLayers(defs: Record<string, unknown>[]): void;
  }
  export class Trainer {
    constructor(net: Net, options: Record<string, unknown>);
    train(x: Vol, y: number): { loss: number; cost_loss: number };
  }
  const convnetjs: { Vol: typeof Vol; Net: typeof Net; Trainer: typeof Trainer };
  export default convnetjs;
}

/// <reference path="./seedrandom.d.ts" />
import alea from 'seedrandom/lib/alea.js';

/**
 * Seeded randomness. Every random choice in minikeras (initializers, shuffling, dropout) draws from
 * a `Random` so that `setSeed(n)` makes a whole program reproducible bit for bit. We use seedrandom's
 * Alea generator: fast, well distributed, and free of the optional `crypto` require that seedrandom's
 * default ARC4 entry point drags into browser bundles.
 */
export class Random {
  private readonly next: () => number;
  private spareNormal: number | null = null;

  constructor(seed: number | string) {
    this.next = alea(String(seed));
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Standard normal via Box-Muller; the second value of each pair is kept for the next call. */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A 32-bit seed for a derived generator, so independent streams stay reproducible. */
  fork(): Random {
    return new Random(Math.floor(this.next() * 2 ** 32));
  }

  /** Fisher-Yates shuffle of `array` in place. */
  shuffle<T extends { length: number; [i: number]: number }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = array[i]!;
      array[i] = array[j]!;
      array[j] = t;
    }
    return array;
  }
}

let globalSeed: number = Date.now() ^ (Math.random() * 2 ** 31);
let globalRandom = new Random(globalSeed);

/** Makes every random draw after it reproducible: the same program after `setSeed(n)` gives the same numbers. */
export function setSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new Error(`setSeed: expected a finite number, got ${seed}`);
  globalSeed = seed;
  globalRandom = new Random(seed);
}

/** The generator behind unseeded random ops. An explicit `seed` option makes a private one instead. */
export function globalRng(): Random {
  return globalRandom;
}

/** A generator for an op: private and deterministic when `seed` is given, else the global stream. */
export function rngFor(seed: number | undefined): Random {
  return seed === undefined ? globalRandom : new Random(seed);
}

/**
 * A generator determined by the last `setSeed` value and `keys` alone, not by how many numbers were drawn
 * before. `fit` shuffles epoch e with `derivedRng('shuffle', e)`, so a run resumed at `initialEpoch` in a
 * fresh process sees the same batches as an uninterrupted run.
 */
export function derivedRng(...keys: (string | number)[]): Random {
  return new Random(`${globalSeed}/${keys.join('/')}`);
}

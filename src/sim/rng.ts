/**
 * A small seeded PRNG (mulberry32): every exploration is reproducible from its seed, and no
 * global Math.random is touched.
 */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0 || 0x9e3779b9;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** A derived generator for run `i` of an exploration. */
  fork(i: number): Rng {
    return new Rng((Math.imul(this.int(0x7fffffff) ^ (i + 1), 0x85ebca6b) >>> 0) + i);
  }
}

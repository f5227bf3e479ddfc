import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { SmmuError } from '../errors.js';

/** One seeded random stream (xoroshiro128+ from pure-rand). */
export class Rng {
  private readonly gen: JumpableRandomGenerator;

  /** @internal Use {@link RngStreams}. */
  constructor(gen: JumpableRandomGenerator) {
    this.gen = gen;
  }

  /** A uniform integer in `[from, to]`. */
  int(from: number, to: number): number {
    return uniformInt(this.gen, from, to);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return uniformInt(this.gen, 0, 0xffffff) < p * 0x1000000;
  }

  /** A uniform element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new SmmuError('EINVAL', 'pick from an empty array');
    return items[uniformInt(this.gen, 0, items.length - 1)]!;
  }
}

/**
 * The run's random streams, split from one seed by xoroshiro128+ jumps so that a
 * change in how often one consumer draws (say, the workload) never shifts another
 * (the schedule): `schedule` for strategies, `workload` for scenario generators,
 * `faults` for injected failures.
 */
export class RngStreams {
  readonly schedule: Rng;
  /** The schedule stream's first state: the others are jumps from it, made on first use. */
  private readonly origin: JumpableRandomGenerator;
  private workloadRng: Rng | null = null;
  private faultsRng: Rng | null = null;

  constructor(seed: number) {
    // xoroshiro128plus(seed) puts the seed into the state as is, so nearby seeds give
    // nearly equal first draws (seeds 1..30 would all order PCT's priorities alike).
    // Spread the seed over all 128 state bits with splitmix32 first.
    const mix = splitmix32(Math.floor(seed / 0x100000000) ^ splitmix32(seed >>> 0)(), seed >>> 0);
    const base = xoroshiro128plusFromState([mix(), mix(), mix(), mix()]);
    this.origin = base.clone();
    this.schedule = new Rng(base);
  }

  /** One jump (2^64 draws) past `schedule`'s start; made on first use (a jump costs more than a small run's draws). */
  get workload(): Rng {
    return (this.workloadRng ??= new Rng(jumped(this.origin, 1)));
  }

  /** Two jumps past `schedule`'s start; made on first use. */
  get faults(): Rng {
    return (this.faultsRng ??= new Rng(jumped(this.origin, 2)));
  }
}

function jumped(origin: JumpableRandomGenerator, jumps: number): JumpableRandomGenerator {
  const gen = origin.clone();
  for (let i = 0; i < jumps; i++) gen.jump();
  return gen;
}

/** splitmix32: a well-mixed 32-bit sequence from a seed (used only to expand seeds). */
function splitmix32(a: number, b = 0): () => number {
  let state = (a ^ Math.imul(b, 0x9e3779b9)) >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) | 0;
  };
}

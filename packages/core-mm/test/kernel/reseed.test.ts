import { describe, expect, it } from 'vitest';
import { GraphTemplate, isSmmuError, Kernel, Machine, Mutex, ReplayTokenError, type KernelOptions } from '../../src/index.js';

const random = { strategy: 'random', trace: true } as const;

/**
 * Three tasks each add to a counter under a mutex, yielding inside: the schedule, and
 * so the trace and token, depend on the seed.
 */
function spawnCounter(k: Kernel): void {
  const mu = new Mutex(k, 'counter_lock');
  let counter = 0;
  for (const name of ['cpu0', 'cpu1', 'cpu2']) {
    k.sched.spawn(name, async (t) => {
      await mu.lock(t);
      const seen = counter;
      await k.sched.yield(t);
      counter = seen + 1;
      await mu.unlock(t);
      await k.sched.yield(t);
    });
  }
}

async function run(k: Kernel): Promise<{ trace: string; token: string }> {
  spawnCounter(k);
  const r = await k.sched.run();
  return { trace: r.trace.join('\n'), token: r.token };
}

const fresh = (options: KernelOptions): Promise<{ trace: string; token: string }> => run(new Kernel({ program: 'counter', schedule: random, ...options }));

describe('Kernel.reseed', () => {
  it('a reseeded kernel runs as one made with that seed', async () => {
    const tokens = new Set<string>();
    for (const seed of [2, 3, 4, 5, 6]) {
      const k = new Kernel({ program: 'counter', schedule: random, seed: 1 });
      k.reseed({ seed });
      expect(k.seed).toBe(seed);
      const got = await run(k);
      expect(got).toEqual(await fresh({ seed }));
      tokens.add(got.token);
    }
    expect(tokens.size).toBeGreaterThan(1);
  });

  it('a reseeded copy of a template runs as a fresh kernel, and the template stays unrun', async () => {
    const template = new GraphTemplate(new Kernel({ program: 'counter', schedule: random, seed: 1 }));
    for (const seed of [8, 9]) {
      const k = template.copy();
      k.reseed({ seed });
      expect(await run(k)).toEqual(await fresh({ seed }));
    }
  });

  it('a replay token: the kernel follows it', async () => {
    const recorded = await fresh({ seed: 12 });
    const k = new Kernel({ program: 'counter', schedule: random, seed: 1 });
    k.reseed({ replay: recorded.token });
    expect(k.seed).toBe(12);
    expect(await run(k)).toEqual(recorded);
  });

  it('refused after a run, after a spawn, and for other preemption classes; nothing changes', async () => {
    const ran = new Kernel({ program: 'counter', schedule: random, seed: 1 });
    await run(ran);
    expect(() => ran.reseed({ seed: 2 })).toThrow(/has run/);

    const spawned = new Kernel({ program: 'counter', schedule: random, seed: 1 });
    spawnCounter(spawned);
    expect(() => spawned.reseed({ seed: 2 })).toThrow(/already spawned/);
    expect(spawned.seed).toBe(1);

    const fifo = await run(new Kernel({ program: 'counter', seed: 4 })); // fifo: no preemption classes
    const k = new Kernel({ program: 'counter', schedule: random, seed: 1 });
    const rng = k.rng;
    let error: unknown;
    try {
      k.reseed({ replay: fifo.token });
    } catch (e) {
      error = e;
    }
    expect(isSmmuError(error, 'EINVAL')).toBe(true);
    expect(String(error)).toMatch(/preemption classes \[\] differ/);
    expect(k.seed).toBe(1);
    expect(k.rng).toBe(rng);
    expect(await run(k)).toEqual(await fresh({ seed: 1 }));
  });

  it('a machine refuses a token recorded in another era', async () => {
    const old = new Machine({ era: 'v2.6.27', program: 'counter', schedule: random, seed: 3 });
    const { token } = await run(old);
    const v6 = new Machine({ era: 'v6', program: 'counter', schedule: random, seed: 1 });
    expect(() => v6.reseed({ replay: token })).toThrow(ReplayTokenError);
    expect(v6.seed).toBe(1);
  });
});

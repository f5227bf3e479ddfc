import { describe, expect, it } from 'vitest';
import { decodeReplayToken, encodeReplayToken, isSmmuError, Kernel, type KernelOptions } from '../../src/index.js';
import { racyCounter } from '../support/programs.js';

const random = { strategy: 'random', trace: true } as const;

describe('determinism', () => {
  it('the same seed twice gives byte-identical traces', async () => {
    for (const seed of [1, 7, 12345, 2 ** 40 + 3]) {
      const a = await racyCounter({ seed, schedule: random }).sched.run();
      const b = await racyCounter({ seed, schedule: random }).sched.run();
      expect(a.trace.join('\n')).toBe(b.trace.join('\n'));
      expect(a.token).toBe(b.token);
      expect(a.trace.length).toBeGreaterThan(10);
    }
  });

  it('different seeds give different interleavings', async () => {
    const traces = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) traces.add((await racyCounter({ seed, schedule: random }).sched.run()).trace.join('\n'));
    expect(traces.size).toBeGreaterThanOrEqual(30);
  });

  it('pct also depends on the seed and only on it', async () => {
    const pct = { strategy: 'pct', depth: 3, steps: 30, trace: true } as const;
    const traces = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) {
      const a = (await racyCounter({ seed, schedule: pct }).sched.run()).trace.join('\n');
      expect((await racyCounter({ seed, schedule: pct }).sched.run()).trace.join('\n')).toBe(a);
      traces.add(a);
    }
    expect(traces.size).toBeGreaterThan(5);
  });
});

describe('replay', () => {
  async function firstFailing(): Promise<{ seed: number; token: string; trace: string; message: string }> {
    for (let seed = 1; seed < 500; seed++) {
      const r = await racyCounter({ seed, schedule: random }).sched.run();
      if (!r.ok) return { seed, token: r.token, trace: r.trace.join('\n'), message: r.violations[0]!.message };
    }
    throw new Error('no failing seed');
  }

  it('a token reproduces a failing run exactly', async () => {
    const failing = await firstFailing();
    expect(failing.message).toMatch(/lost update/);
    const replayed = await racyCounter({ replay: failing.token, schedule: { trace: true } }).sched.run();
    expect(replayed.violations.map((v) => v.message)).toEqual([failing.message]);
    expect(replayed.trace.join('\n')).toBe(failing.trace);
    expect(replayed.token).toBe(failing.token);
  });

  it('a passing run replays as passing, with the same trace', async () => {
    const r = await racyCounter({ seed: 3, schedule: { strategy: 'pct', depth: 2, steps: 40, trace: true } }).sched.run();
    const again = await racyCounter({ replay: r.token, schedule: { trace: true } }).sched.run();
    expect(again.ok).toBe(r.ok);
    expect(again.trace).toEqual(r.trace);
  });

  it('a token replayed against a changed program is reported as divergence', async () => {
    const failing = await firstFailing();
    const m = racyCounter({ replay: failing.token }, true);
    const r = await m.sched.run();
    expect(m.report.warnings.join('\n')).toMatch(/fingerprint .* differs/);
    expect(r.violations.some((v) => v.kind === 'divergence')).toBe(true);
    expect(r.ok).toBe(false);
  });

  it('a program that spawns during the run replays without a fingerprint warning', async () => {
    const program = (options: KernelOptions): Kernel => {
      const m = new Kernel({ ...options, program: 'dynamic-spawn' });
      m.sched.spawn('parent', async (t) => {
        m.sched.spawn('child', async (c) => {
          await m.sched.yield(c);
        });
        await m.sched.yield(t);
      });
      m.sched.spawn('other', async (t) => {
        await m.sched.yield(t);
      });
      return m;
    };
    const first = await program({ seed: 3, schedule: { strategy: 'random' } }).sched.run();
    const m = program({ replay: first.token });
    const again = await m.sched.run();
    expect(m.report.warnings).toEqual([]);
    expect(again.violations).toEqual([]);
    expect(again.token).toBe(first.token);
  });

  it('a replay whose recorded task is not runnable is divergence, even with the same counts', async () => {
    const program = (options: KernelOptions, order: string[]): Kernel => {
      const m = new Kernel({ ...options, program: 'order' });
      const gate = { open: false };
      for (const name of order) {
        m.sched.spawn(name, async (t) => {
          if (name === 'waiter') while (!gate.open) await m.sched.sleep(t, 1);
          else {
            await m.sched.yield(t);
            gate.open = true;
          }
        });
      }
      return m;
    };
    let token = '';
    for (let seed = 1; seed < 50 && token === ''; seed++) {
      const r = await program({ seed, schedule: { strategy: 'random' } }, ['waiter', 'opener']).sched.run();
      if (r.token.length > 0 && decodeReplayToken(r.token).choices.length > 0) token = r.token;
    }
    // Swapping the spawn order renames every recorded choice.
    const r = await program({ replay: token }, ['opener', 'waiter']).sched.run();
    expect(r.violations.map((v) => v.kind)).toContain('divergence');
  });

  it('tokens round-trip and bad tokens are EINVAL naming the token', () => {
    const record = { seed: 9, strategy: 'pct', params: { depth: 2, steps: 10 }, preempt: ['yield', 'lock'], choices: [1, 2, 0, 3], fingerprint: 'abc' } as const;
    expect(decodeReplayToken(encodeReplayToken(record))).toEqual({ ...record, preempt: [...record.preempt], choices: [...record.choices], context: '' });
    // More than 36 runnable tasks: indices no longer fit one base36 digit.
    const wide = { ...record, choices: [39, 40, 5, 40, 0, 40, 1, 2, 35, 37] };
    expect(decodeReplayToken(encodeReplayToken(wide)).choices).toEqual(wide.choices);
    for (const bad of ['nope', 'smmu1.!!!', encodeReplayToken(record).slice(0, 20)]) {
      let caught: unknown;
      try {
        new Kernel({ replay: bad });
      } catch (e) {
        caught = e;
      }
      expect(isSmmuError(caught, 'EINVAL')).toBe(true);
      expect((caught as Error).message).toContain(bad.slice(0, 10));
    }
  });
});

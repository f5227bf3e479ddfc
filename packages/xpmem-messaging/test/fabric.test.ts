import { Machine, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { resolveFabricOptions, XpmemFabric } from '../src/index.js';
import { code } from './support/rig.js';

/** Send `n` exchanges a→b from one task, each answering its index; the answers and arrival times, in handling order. */
async function exchanges(options: ConstructorParameters<typeof XpmemFabric>[1], n: number, seed = 1) {
  const m = new Machine({ seed, schedule: { strategy: 'random' } });
  const f = new XpmemFabric(m, options);
  const a = f.partition('a');
  const b = f.partition('b');
  const handled: number[] = [];
  const finished: number[] = [];
  m.sched.spawn('sender', async (task: Task) => {
    const xs = Array.from({ length: n }, (_, i) => f.send(a, b, `m${i}`, () => void handled.push(i)));
    await f.wait(task, xs);
    finished.push(...xs.map((x) => x.finishedAt));
  });
  const result = await m.sched.run();
  return { f, b, handled, finished, result };
}

describe('the message fabric', () => {
  it('delivers a channel in send order whatever the jitter, in virtual time', async () => {
    const { handled, finished, result } = await exchanges({ latencyNs: 1_000, jitterNs: 900 }, 6);
    expect(result.violations).toEqual([]);
    expect(handled).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Math.min(...finished)).toBeGreaterThanOrEqual(2_000); // there and back
    expect(Math.max(...finished)).toBeLessThanOrEqual(2 * 1_900 + 12); // at most latency + jitter each way, ordered
  });

  it('is deterministic per seed: same seed, same times; another seed, other jitter', async () => {
    const one = await exchanges({ jitterNs: 500 }, 4, 7);
    const again = await exchanges({ jitterNs: 500 }, 4, 7);
    const other = await exchanges({ jitterNs: 500 }, 4, 8);
    expect(again.finished).toEqual(one.finished);
    expect(other.finished).not.toEqual(one.finished);
  });

  it('retransmits lost messages (bounded) and still delivers in order', async () => {
    const { f, handled } = await exchanges({ loss: 0.3, maxRetransmits: 10 }, 8);
    expect(handled).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(f.stats.lost).toBeGreaterThan(0);
    expect(f.stats.transmissions).toBe(16 + f.stats.lost);
    expect(f.stats.cutOffs).toBe(0);
  });

  it('a partition that stops answering: the exchange ends as cut-off at the cut-off time, nothing handled', async () => {
    const m = new Machine();
    const f = new XpmemFabric(m, { cutoffNs: 50_000 });
    const a = f.partition('a');
    const b = f.partition('b');
    b.answering = false;
    let handled = 0;
    const x = f.send(a, b, 'ping', () => handled++);
    m.sched.spawn('sender', (task) => f.wait(task, [x]));
    await m.sched.run();
    expect(x.answer).toEqual({ ok: false, reason: 'cut-off' });
    expect(x.finishedAt).toBe(50_000);
    expect(handled).toBe(0);
    expect(f.stats.cutOffs).toBe(1);
  });

  it('a link that loses a message more often than the retransmissions allow gives up: cut-off', async () => {
    const { f, result } = await exchanges({ loss: 0.9, maxRetransmits: 1, cutoffNs: 100_000 }, 3);
    expect(result.violations).toEqual([]);
    expect(f.stats.givenUp).toBeGreaterThan(0);
    expect(f.stats.cutOffs).toBeGreaterThan(0);
  });

  it('a slow partition adds its delay to every message it handles', async () => {
    const m = new Machine();
    const f = new XpmemFabric(m, { latencyNs: 100 });
    const a = f.partition('a');
    const b = f.partition('b');
    b.delayNs = 5_000;
    const x = f.send(a, b, 'ping', () => 1);
    m.sched.spawn('sender', (task) => f.wait(task, [x]));
    await m.sched.run();
    expect(x.answer).toEqual({ ok: true, value: 1 });
    expect(x.finishedAt).toBe(5_200);
  });

  it('bad options: EINVAL naming the field, nothing built', async () => {
    expect(await code(() => resolveFabricOptions({ loss: 1 }))).toBe('EINVAL');
    expect(() => resolveFabricOptions({ latencyNs: -1 })).toThrow(/fabric\.latencyNs/);
    expect(() => resolveFabricOptions({ maxRetransmits: 1.5 })).toThrow(/maxRetransmits/);
    const f = new XpmemFabric(new Machine());
    f.partition('a');
    expect(() => f.partition('a')).toThrow(/already exists/);
  });
});

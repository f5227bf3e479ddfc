import { describe, expect, it } from 'vitest';
import { EAGAIN, IntervalTree, Machine, reapOnce, type MmuNotifierRange } from '../src/index.js';
import { ANON, P, RW, setup, v } from './support/mm-helpers.js';
import { RecordingPort } from './support/recording-port.js';

describe('brackets in flight (what registration waits for)', () => {
  it('counts every bracket with or without a port, and wakes rangesIdle at zero', async () => {
    const { m, t } = setup('v6');
    const mm = t.mm!;
    const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    let peak = 0;
    const port = new RecordingPort();
    mm.secondary = Object.assign(port, {
      invalidateRangeStart: (task: Parameters<RecordingPort['invalidateRangeStart']>[0], range: MmuNotifierRange) => {
        peak = Math.max(peak, mm.rangesInFlight);
        return RecordingPort.prototype.invalidateRangeStart.call(port, task, range);
      },
    });
    await v(m.mem.munmap(t, a, 2 * P));
    expect(peak).toBe(1);
    expect(mm.rangesInFlight).toBe(0);
    mm.secondary = null;
    const b = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.munmap(t, b, P));
    expect(mm.rangesInFlight).toBe(0);
  });

  it('a v6 non-blockable start that fails ends its bracket (the caller makes no end call)', async () => {
    const { m, t } = setup('v6');
    const mm = t.mm!;
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    const port = new RecordingPort();
    port.startResult = EAGAIN;
    mm.secondary = port;
    expect(await v(reapOnce(m.mem, m.task('oom_reaper'), mm))).toBe(false);
    expect(mm.rangesInFlight).toBe(0);
    expect(port.ops()).toEqual(['start']);
  });
});

describe('per-machine extensions', () => {
  it('creates once per machine and never shares between machines', () => {
    const a = new Machine();
    const b = new Machine();
    let made = 0;
    const make = (m: Machine): { m: Machine } => (made++, { m });
    expect(a.extension('x', make)).toBe(a.extension('x', make));
    expect(b.extension('x', make).m).toBe(b);
    expect(made).toBe(2);
  });
});

describe('interval tree cost counter', () => {
  it('counts nodes examined by queries', () => {
    const tree = new IntervalTree<number>();
    for (let i = 0; i < 1000; i++) tree.insert(i * 10, i * 10 + 5, i);
    const before = tree.nodeVisits;
    expect(tree.overlapping(5000, 5002)).toEqual([500]);
    const visits = tree.nodeVisits - before;
    expect(visits).toBeGreaterThan(0);
    expect(visits).toBeLessThan(80); // O(log n + k), far below n
  });
});

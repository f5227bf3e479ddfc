import { describe, expect, it } from 'vitest';
import { EAGAIN, ERAS, Machine, Mutex, OOM_REAP_INTERVAL_NS, OOM_REAP_RETRIES, Reclaim, type MmuNotifierRange, type Task } from '../src/index.js';
import { configureSwap } from '../src/mm/swap.js';
import { ANON, code, P, RW, v } from './support/mm-helpers.js';
import { RecordingPort } from './support/recording-port.js';

/** A machine where a hog has mlocked (unreclaimable) memory and a second process needs more. */
async function squeeze(era: (typeof ERAS)[number]): Promise<{ m: Machine; reclaim: Reclaim; hog: Task; other: Task; hogAddr: number }> {
  const m = new Machine({ era, memory: { frames: 24 } });
  configureSwap(m.mem, 0); // no swap: only an OOM kill frees memory here
  const reclaim = new Reclaim(m.mem, { low: 1, high: 2 });
  const hog = m.mem.createProcess('hog').task('hog');
  const other = m.mem.createProcess('other').task('other');
  const hogAddr = await v(m.mem.mmap(hog, { length: 16 * P, prot: RW, flags: ANON }));
  await v(m.mem.mlock(hog, hogAddr, 16 * P)); // unreclaimable
  for (let i = 0; i < 16; i++) await v(m.mem.write(hog, hogAddr + i * P, i));
  return { m, reclaim, hog, other, hogAddr };
}

describe('OOM', () => {
  for (const era of ERAS) {
    it(`${era}: reclaim that frees nothing kills the biggest other process; the allocation then succeeds`, async () => {
      const { m, reclaim, other } = await squeeze(era);
      const port = new RecordingPort();
      m.mem.processes[0]!.mm!.secondary = port;
      const a = await v(m.mem.mmap(other, { length: 12 * P, prot: RW, flags: ANON }));
      for (let i = 0; i < 12; i++) await v(m.mem.write(other, a + i * P, 100 + i));
      for (let i = 0; i < 12; i++) expect(await v(m.mem.read(other, a + i * P))).toBe(100 + i);
      expect(reclaim.kills.map((k) => k.victim?.name)).toEqual(['hog']);
      expect(m.mem.processes[0]!.mm).toBeNull();
      const ops = port.ops().filter((o) => o !== 'secondary_tlbs');
      if (era === 'v6') {
        // The reaper's non-blockable UNMAP range first, then the victim's exit: release and UNMAP.
        expect(ops).toEqual(['start', 'end', 'release', 'start', 'end']);
        expect(port.calls[0]).toMatchObject({ event: 'unmap', blockable: false, nonBlockDepth: 1 });
        expect(port.calls[0]!.held).toEqual(['mmap_lock (rwsem, read, trylock)']);
        expect(reclaim.kills[0]!.reapAttempts).toBe(1);
      } else {
        // No reaper before 4.6: the victim exits, release then the unmap.
        expect(ops).toEqual(['release', 'start', 'end']);
      }
    });
  }

  it('v6: a subscriber answering -EAGAIN makes the reaper retry 10 times, HZ/10 apart, then give up; the victim still exits', async () => {
    const { m, reclaim, other } = await squeeze('v6');
    const port = new RecordingPort();
    let refused = 0;
    m.mem.processes[0]!.mm!.secondary = Object.assign(port, {
      invalidateRangeStart: (task: Task, range: MmuNotifierRange): number => {
        RecordingPort.prototype.invalidateRangeStart.call(port, task, range);
        if (!range.blockable) {
          refused++;
          return EAGAIN;
        }
        return 0;
      },
    });
    const before = m.clock.now;
    const a = await v(m.mem.mmap(other, { length: 12 * P, prot: RW, flags: ANON }));
    for (let i = 0; i < 12; i++) await v(m.mem.write(other, a + i * P, i));
    expect(refused).toBe(OOM_REAP_RETRIES);
    expect(reclaim.kills[0]).toMatchObject({ reapAttempts: OOM_REAP_RETRIES, skipped: true });
    expect(m.clock.now - before).toBe((OOM_REAP_RETRIES - 1) * OOM_REAP_INTERVAL_NS);
    expect(port.ops().filter((o) => o === 'end').length).toBe(1); // only the exit's range: a refused start is not ended by the caller
    expect(m.report.violations).toEqual([]);
  });

  it('v6: a subscriber that sleeps in the reaper\'s non-blockable range is a might-sleep report', async () => {
    const { m, other } = await squeeze('v6');
    const port = new RecordingPort();
    const lock = new Mutex(m, 'dev_lock');
    m.mem.processes[0]!.mm!.secondary = Object.assign(port, {
      invalidateRangeStart: (task: Task): number => {
        void lock.lock(task); // sleeps where it should have answered -EAGAIN
        void lock.unlock(task);
        return 0;
      },
    });
    const a = await v(m.mem.mmap(other, { length: 12 * P, prot: RW, flags: ANON }));
    for (let i = 0; i < 12; i++) await v(m.mem.write(other, a + i * P, i));
    const sleeps = m.report.violations.filter((x) => x.kind === 'might-sleep');
    expect(sleeps.length).toBe(1); // the exit's blockable range is fine
    expect(sleeps[0]!.message).toContain('non-blockable section');
    expect(sleeps[0]!.message).toContain('mutex_lock(dev_lock)');
  });

  it('in a scheduled run the reaper is its own task and the allocating task waits for it', async () => {
    for (const era of ERAS) {
      const m = new Machine({ era, seed: 5, schedule: { strategy: 'random' }, memory: { frames: 24 } });
      configureSwap(m.mem, 0);
      const reclaim = new Reclaim(m.mem, { low: 1, high: 2 });
      const hog = m.mem.createProcess('hog');
      const other = m.mem.createProcess('other');
      hog.spawn('hog', async (t) => {
        const a = await v(m.mem.mmap(t, { length: 16 * P, prot: RW, flags: ANON }));
        await v(m.mem.mlock(t, a, 16 * P));
      });
      const seen: number[] = [];
      other.spawn('other', async (t) => {
        await m.sched.sleep(t, 10);
        const a = await v(m.mem.mmap(t, { length: 12 * P, prot: RW, flags: ANON }));
        for (let i = 0; i < 12; i++) await v(m.mem.write(t, a + i * P, i));
        for (let i = 0; i < 12; i++) seen.push(await v(m.mem.read(t, a + i * P)));
      });
      const r = await m.sched.run();
      expect(r.violations).toEqual([]);
      expect(seen).toEqual([...Array(12).keys()]);
      expect(reclaim.kills.map((k) => k.victim?.name)).toEqual(['hog']);
      expect(m.sched.allTasks.map((t) => t.name)).toContain('oom_reaper');
    }
  });

  it('the allocating process is never its own victim: with no one else to kill, its allocation fails with ENOMEM', async () => {
    const m = new Machine({ memory: { frames: 8 } });
    configureSwap(m.mem, 0);
    new Reclaim(m.mem, { low: 1, high: 2 });
    const t = m.mem.createProcess('alone').task('alone');
    const a = await v(m.mem.mmap(t, { length: 16 * P, prot: RW, flags: ANON }));
    await v(m.mem.mlock(t, a, 4 * P));
    let failed = '';
    for (let i = 4; i < 16 && failed === ''; i++) {
      const c = await code(() => m.mem.write(t, a + i * P, i));
      if (c !== 'ok') failed = c;
    }
    expect(failed).toBe('ENOMEM');
    expect(t.mm).not.toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { ERAS, Machine, MAP, TASK_SIZE, TLB_FLUSH_ALL, type Era, type Task } from '../src/index.js';
import { RecordingPort } from './support/recording-port.js';
import { ANON, P, RW, v } from './support/mm-helpers.js';

// The notifier call sites of mmap/munmap/exit and the COW fault, per era, with the
// context the kernel gives them (docs/notifier.md).

function setup(era: Era): { m: Machine; t: Task; port: RecordingPort } {
  const m = new Machine({ era, memory: { frames: 128 } });
  const t = m.mem.createProcess('app').task('cpu0');
  const port = new RecordingPort();
  t.mm!.secondary = port;
  return { m, t, port };
}

describe('munmap', () => {
  for (const era of ERAS) {
    it(`${era}: one range over the unmapped span, context per era`, async () => {
      const { m, t, port } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a + P, 1));
      port.clear();
      await v(m.mem.munmap(t, a + P, 2 * P));
      const start = port.calls.find((c) => c.op === 'start')!;
      expect(start).toMatchObject({ start: a + P, end: a + 3 * P, event: 'unmap' });
      const ops = port.ops();
      if (era === 'v6') {
        expect(ops).toEqual(['start', 'secondary_tlbs', 'end']);
        expect(start.blockable).toBe(true);
        expect(start.held).toEqual(['mmap_lock (rwsem, read)']); // downgraded before the zap
        expect(start.preemptCount + start.rcuDepth + start.nonBlockDepth).toBe(0);
        const flush = port.calls[1]!;
        expect(flush.held).toEqual(['mmap_lock (rwsem, read)', 'ptl (spinlock)']);
      } else {
        expect(ops).toEqual(['start', 'end']);
        expect(start.held).toEqual(era === 'v2.6.27' ? ['mmap_lock (rwsem)', 'rcu_read_lock (rcu, read)'] : ['mmap_lock (rwsem)']);
        expect(start.blockable).toBe(era === 'rfc-2008');
        expect(start.rcuDepth).toBe(era === 'v2.6.27' ? 1 : 0);
        expect(start.nonBlockDepth).toBe(0);
      }
      expect(m.report.violations).toEqual([]);
    });
  }
});

describe('exit', () => {
  for (const era of ERAS) {
    it(`${era}: release comes first, before any page is freed, then one UNMAP range`, async () => {
      const { m, t, port } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const mm = t.mm!;
      const pfn = mm.pageTable.lookup(Math.floor(a / P))!.word[Math.floor(a / P) % 512]!;
      const gen = m.mem.frames.generation[pfn];
      let genAtRelease = -1;
      mm.secondary = Object.assign(port, {
        release: (task: Task) => {
          genAtRelease = m.mem.frames.generation[pfn]!;
          RecordingPort.prototype.release.call(port, task, mm);
        },
      });
      port.clear();
      await v(m.mem.exit(t));
      expect(genAtRelease).toBe(gen);
      expect(port.ops().filter((o) => o !== 'secondary_tlbs')).toEqual(['release', 'start', 'end']);
      // The whole address space (the kernel's 0..ULONG_MAX), so a's pages are inside.
      const start = port.calls.find((c) => c.op === 'start')!;
      expect(start).toMatchObject({ event: 'unmap', start: 0, end: TASK_SIZE });
      expect(start.start! <= a && a + 2 * P <= start.end!).toBe(true);
      // release is called outside RCU in every era: 2.6.27's notifier core took the read side per ->release itself.
      expect(port.calls[0]!.rcuDepth).toBe(0);
      // v6 unmaps under mmap_lock for reading; 2008's exit_mmap took no mmap_sem.
      expect(start.held).toEqual(era === 'v6' ? ['mmap_lock (rwsem, read)'] : era === 'v2.6.27' ? ['rcu_read_lock (rcu, read)'] : []);
    });
  }
});

describe('COW fault', () => {
  for (const era of ERAS) {
    it(`${era}: the era's placement around wp_page_copy`, async () => {
      const { m, t, port } = setup(era);
      const file = m.mem.createFile('f', P);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.private, file }));
      await v(m.mem.read(t, a));
      port.clear();
      await v(m.mem.write(t, a, 5));
      const ops = port.ops();
      if (era === 'v6') {
        expect(ops).toEqual(['start', 'secondary_tlbs', 'end']);
        const [start, flush] = port.calls;
        expect(start).toMatchObject({ event: 'clear', start: a, end: a + P, blockable: true });
        expect(start!.held).toEqual(['mmap_lock (rwsem, read)']); // PT lock taken inside the bracket
        expect(flush!.held).toEqual(['mmap_lock (rwsem, read)', 'ptl (spinlock)']);
      } else if (era === 'rfc-2008') {
        expect(ops).toEqual(['start', 'end']);
        expect(port.calls[0]).toMatchObject({ start: a, end: a + P, blockable: true, preemptCount: 0 });
      } else {
        expect(ops).toEqual(['invalidate_page']);
        expect(port.calls[0]).toMatchObject({ start: a, preemptCount: 1, rcuDepth: 1 });
        expect(port.calls[0]!.held).toEqual(['mmap_lock (rwsem, read)', 'ptl (spinlock)', 'rcu_read_lock (rcu, read)']);
      }
      expect(await v(m.mem.read(t, a))).toBe(5);
      expect(m.report.violations).toEqual([]);
    });
  }

  for (const era of ERAS) {
    it(`${era}: an anonymous page COW-shared by fork is copied with the same placement; the child's mm gets no call`, async () => {
      const { m, t, port } = setup(era);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const child = await v(m.mem.fork(t, 'child'));
      port.clear();
      await v(m.mem.write(t, a, 2)); // the parent breaks COW
      const expected = era === 'v6' ? ['start', 'secondary_tlbs', 'end'] : era === 'rfc-2008' ? ['start', 'end'] : ['invalidate_page'];
      expect(port.ops()).toEqual(expected);
      expect(port.calls.every((c) => c.mm === t.mm!.id && c.start === a)).toBe(true);
      expect(await v(m.mem.read(child.task('c'), a))).toBe(1);
    });

    it(`${era}: MAP_FIXED over a mapping unmaps it inside one UNMAP range under mmap_lock for writing`, async () => {
      const { m, t, port } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      port.clear();
      await v(m.mem.mmap(t, { addr: a, length: P, prot: RW, flags: ANON | MAP.fixed }));
      const start = port.calls.find((c) => c.op === 'start')!;
      expect(start).toMatchObject({ event: 'unmap', start: a, end: a + P });
      expect(start.held[0]).toBe('mmap_lock (rwsem)'); // no downgrade: mmap goes on
      expect(await v(m.mem.read(t, a))).toBe(0);
    });
  }

  it('v6: a write to the zero page is a COW too, bracketed like any other', async () => {
    const { m, t, port } = setup('v6');
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.read(t, a));
    port.clear();
    await v(m.mem.write(t, a, 3));
    expect(port.ops()).toEqual(['start', 'secondary_tlbs', 'end']);
    expect(port.calls[0]).toMatchObject({ event: 'clear', start: a, end: a + P });
  });

  it('no port, no call: a machine without notifiers builds no range', async () => {
    const m = new Machine({ memory: { frames: 16 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    await v(m.mem.munmap(t, a, P));
    expect(m.report.violations).toEqual([]);
  });

  it('a port that throws is a driver-error; the kernel model stays consistent', async () => {
    const { m, t } = setup('v6');
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    t.mm!.secondary = Object.assign(new RecordingPort(), {
      invalidateRangeStart: (): number => {
        throw new Error('driver bug');
      },
    });
    const free = m.mem.allocator.freeCount;
    await v(m.mem.munmap(t, a, P));
    expect(m.report.violations.map((x) => x.kind)).toEqual(['driver-error']);
    expect(m.report.violations[0]!.message).toContain('driver bug');
    expect(m.mem.allocator.freeCount).toBe(free + 1);
    expect(t.describeHeld()).toEqual([]);
    expect(t.nonBlockDepth + t.rcuDepth + t.preemptCount).toBe(0);
  });
});

describe('whole-mm flushes', () => {
  it('v6: fork flushes the parent as flush_tlb_mm does: (0, -1UL), the model\'s TLB_FLUSH_ALL', async () => {
    const { m, t, port } = setup('v6');
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    port.clear();
    await v(m.mem.fork(t, 'child'));
    const flushes = port.calls.filter((c) => c.op === 'secondary_tlbs');
    expect(flushes.map((c) => [c.start, c.end])).toEqual([[0, TLB_FLUSH_ALL]]);
    expect(TLB_FLUSH_ALL).toBeGreaterThan(TASK_SIZE);
  });
});

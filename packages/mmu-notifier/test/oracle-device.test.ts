import { Machine, MAP, PG, PROT, shrinkPage, walkPageTable } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { coherenceOracle, DeviceMmu, DRIVER_CLASSES, isDriverClass, MmuNotifier, mmuNotifierRegister, NotifierTrace, ORACLE_VIOLATION_KINDS } from '../src/index.js';
import { ANON, code, P, RW, setup, v } from './support/helpers.js';

describe('DeviceMmu: translation handles', () => {
  it('establishes a handle that records pfn, generation, permission, device, mm, address and time; reads and writes the content word through it', async () => {
    const { m, t } = setup('v6');
    const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 5));
    m.clock.advance(250);
    const dev = new DeviceMmu(m, { name: 'gpu0', driverClass: 'holds-references' });
    const pte = walkPageTable(t.mm!, a)!;
    const h = dev.establish(t, t.mm!, a, pte.pfn, { writable: true });
    expect(h).toMatchObject({ pfn: pte.pfn, generation: m.mem.frames.generation[pte.pfn], writable: true, device: dev, mm: t.mm, address: a, established: 250, live: true, accessed: false, dirty: false });
    expect(await v(dev.read(t, h))).toBe(5);
    expect(h.accessed).toBe(true);
    await v(dev.write(t, h, 9));
    expect(h.dirty).toBe(true);
    expect(await v(m.mem.read(t, a))).toBe(9);
    // A device write never sets PG_dirty: propagating it is the driver's job.
    expect(m.mem.frames.flags[pte.pfn]! & PG.dirty).toBe(0);
    expect(dev.testAndClearAccessed(h)).toBe(true);
    expect(dev.testAndClearAccessed(h)).toBe(false);
    expect(dev.testAndClearDirty(h)).toBe(true);
    expect(dev.lookup(t.mm!, a + 100)).toBe(h);
    expect(dev.lookup(t.mm!, a + P)).toBeUndefined();
    expect(dev.translations()).toEqual([h]);
    dev.downgrade(h);
    expect(h.writable).toBe(false);
    dev.drop(h);
    expect(h.live).toBe(false);
    expect(dev.translations()).toEqual([]);
    expect(h.toString()).toContain('gpu0 at 0x');
    expect(coherenceOracle(m).devices).toEqual([dev]);
    expect(m.report.violations).toEqual([]);
  });

  it('drops by range and all at once', async () => {
    const { m, t } = setup('v6');
    const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: ANON }));
    const dev = new DeviceMmu(m, { name: 'd', driverClass: 'no-references' });
    for (let i = 0; i < 4; i++) {
      await v(m.mem.write(t, a + i * P, i));
      dev.establish(t, t.mm!, a + i * P, walkPageTable(t.mm!, a + i * P)!.pfn);
    }
    expect(dev.dropRange(t.mm!, a + P, a + 3 * P)).toBe(2);
    expect(dev.translations().map((h) => (h.address - a) / P)).toEqual([0, 3]);
    expect(dev.dropAll(t.mm!)).toBe(2);
    expect(dev.dropAll()).toBe(0);
  });

  it('refuses bad input with EINVAL (EPERM for a write through a read-only handle) and changes nothing', async () => {
    const { m, t } = setup('v6');
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    const pfn = walkPageTable(t.mm!, a)!.pfn;
    expect(await code(() => new DeviceMmu(m, { name: '', driverClass: 'no-references' }))).toBe('EINVAL');
    expect(await code(() => new DeviceMmu(m, { name: 'x', driverClass: 'no-refs' as never }))).toBe('EINVAL');
    expect(await code(() => new DeviceMmu(m, { name: 'x', driverClass: 'no-references', subscription: 7 as never }))).toBe('EINVAL');
    const dev = new DeviceMmu(m, { name: 'd', driverClass: 'holds-references' });
    const other = new DeviceMmu(m, { name: 'e', driverClass: 'holds-references' });
    expect(await code(() => dev.establish(t, t.mm!, a + 1, pfn))).toBe('EINVAL');
    expect(await code(() => dev.establish(t, t.mm!, -P, pfn))).toBe('EINVAL');
    expect(await code(() => dev.establish(t, t.mm!, a, m.mem.frames.count))).toBe('EINVAL');
    expect(await code(() => dev.establish(t, t.mm!, a, 1.5))).toBe('EINVAL');
    const ro = dev.establish(t, t.mm!, a, pfn);
    expect(await code(() => dev.write(t, ro, 2))).toBe('EPERM');
    const rw = dev.establish(t, t.mm!, a, pfn, { writable: true });
    expect(await code(() => dev.write(t, rw, -1))).toBe('EINVAL');
    expect(await code(() => dev.write(t, rw, 2 ** 32))).toBe('EINVAL');
    expect(await code(() => other.read(t, rw))).toBe('EINVAL');
    expect(await code(() => other.drop(rw))).toBe('EINVAL');
    expect(await code(() => dev.dropRange(t.mm!, 10, 0))).toBe('EINVAL');
    dev.drop(rw);
    expect(await code(() => dev.read(t, rw))).toBe('EINVAL');
    expect(await code(() => dev.drop(rw))).toBe('EINVAL');
    expect(await code(() => dev.downgrade(rw))).toBe('EINVAL');
    expect(m.mem.frames.content[pfn]).toBe(1);
    expect(dev.translations()).toEqual([ro]);
    // A device answering for a subscription translates only that subscription's mm.
    const sub = new MmuNotifier({}, 'kvm');
    await v(mmuNotifierRegister(t, sub, t.mm!));
    const other2 = m.mem.createProcess('other').task('cpu1');
    const bound = new DeviceMmu(m, { name: 'kvm0', driverClass: 'no-references', subscription: sub });
    expect(await code(() => bound.establish(other2, other2.mm!, a, pfn))).toBe('EINVAL');
    await v(m.mem.exit(other2));
    expect(await code(() => dev.establish(other2, other2.mm!, a, pfn))).toBe('EINVAL');
    expect(m.report.violations).toEqual([]);
  });

  it('gives up the access with EFAULT when the handle was dropped while the access waited at its preemption point', async () => {
    // Preempt only at device accesses; try seeds until the dropper ran in between.
    for (let seed = 1; seed < 50; seed++) {
      const m = new Machine({ era: 'v6', seed, memory: { frames: 64 }, schedule: { strategy: 'random', preempt: ['device'] } });
      const proc = m.mem.createProcess('app');
      const t = proc.task('setup');
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 3));
      const dev = new DeviceMmu(m, { name: 'd', driverClass: 'holds-references' });
      const h = dev.establish(t, t.mm!, a, walkPageTable(t.mm!, a)!.pfn);
      let outcome = '';
      proc.spawn('engine', async (task) => {
        outcome = await code(() => dev.read(task, h));
      });
      proc.spawn('dropper', () => dev.drop(h));
      await m.sched.run();
      if (outcome === 'ok') continue;
      expect(outcome).toBe('EFAULT');
      return;
    }
    throw new Error('no seed interleaved the drop with the access');
  });

  it('reports every access to the notifier core: the event trace records it', async () => {
    const { m, t } = setup('v6');
    const trace = NotifierTrace.attach(m);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    const dev = new DeviceMmu(m, { name: 'gpu0', driverClass: 'holds-references' });
    const h = dev.establish(t, t.mm!, a, walkPageTable(t.mm!, a)!.pfn, { writable: true });
    m.clock.advance(40);
    await v(dev.read(t, h));
    await v(dev.write(t, h, 2));
    expect(trace.findAccesses({ device: 'gpu0' }).map((r) => [r.write, r.pfn, r.generation, r.address, r.time, r.mm])).toEqual([
      [false, h.pfn, h.generation, a, 40, t.mm!.id],
      [true, h.pfn, h.generation, a, 40, t.mm!.id],
    ]);
  });
});

describe('DeviceMmu and the event trace', () => {
  it('a GRU-like device without aging callbacks: its accesses make a device-hot eviction', async () => {
    const { m, t } = setup('v6');
    const trace = NotifierTrace.attach(m);
    const file = m.mem.createFile('f', P);
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
    await v(m.mem.read(t, a));
    const gru = new DeviceMmu(m, { name: 'gru0', driverClass: 'no-references' });
    const sub = new MmuNotifier({ invalidateRangeStart: (_task, _sub, range) => (gru.dropRange(range.mm, range.start, range.end), 0) }, 'gru');
    gru.answerFor(sub);
    await v(mmuNotifierRegister(t, sub, t.mm!));
    const pfn = file.pageCache.get(0)!;
    const kswapd = m.task('kswapd');
    expect(await v(shrinkPage(m.mem, kswapd, pfn))).toBe('activate'); // the CPU's young bit
    const h = gru.establish(t, t.mm!, a, walkPageTable(t.mm!, a)!.pfn);
    await v(gru.read(t, h));
    expect(await v(shrinkPage(m.mem, kswapd, pfn))).toBe('freed'); // reclaim never heard of the device's use
    expect(trace.deviceHotEvictions()).toMatchObject([{ pfn, accesses: [{ device: 'gru0', address: a }] }]);
    expect(gru.translations()).toEqual([]);
    expect(m.report.violations).toEqual([]);
  });
});

describe('DeviceMmu: references and pins', () => {
  it('records the references and pins taken through it, gives them back, and refuses what it does not hold', async () => {
    const { m, t } = setup('v6');
    const mm = t.mm!;
    const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    await v(m.mem.write(t, a + P, 2));
    const dev = new DeviceMmu(m, { name: 'xpmem', driverClass: 'holds-references' });
    await v(mm.mmapLock.downRead(t));
    const [p0] = await v(dev.getUserPages(t, mm, a, 1));
    const [p1] = await v(dev.getUserPages(t, mm, a + P, 1, { pin: true }));
    await v(mm.mmapLock.upRead(t));
    const refs = m.mem.frames.refcount[p0!]!;
    expect(dev.holds().map((hold) => [hold.pfn, hold.pin, hold.address, hold.mm])).toEqual([
      [p0, false, a, mm],
      [p1, true, a + P, mm],
    ]);
    expect(await code(() => dev.putPage(t, p1!))).toBe('EINVAL'); // a pin is not a reference
    expect(await code(() => dev.unpinUserPage(t, p0!))).toBe('EINVAL');
    expect(await code(() => dev.putPage(t, 12345))).toBe('EINVAL');
    expect(m.mem.frames.refcount[p0!]).toBe(refs);
    dev.putPage(t, p0!);
    expect(m.mem.frames.refcount[p0!]).toBe(refs - 1);
    await v(dev.unpinUserPage(t, p1!, { dirty: true }));
    expect(m.mem.frames.pincount[p1!]).toBe(0);
    expect(dev.holds(mm)).toEqual([]);
    expect(await code(() => dev.putPage(t, p0!))).toBe('EINVAL');
    expect(m.report.violations).toEqual([]);
  });

  it('fails as getUserPages fails, holding nothing', async () => {
    const { m, t } = setup('v6');
    const dev = new DeviceMmu(m, { name: 'xpmem', driverClass: 'holds-references' });
    expect(await code(() => dev.getUserPages(t, t.mm!, 0x10000, 1))).toBe('EINVAL'); // mmap_lock not held
    expect(dev.holds()).toEqual([]);
  });
});

describe('oracle constants', () => {
  it('has stable violation kinds and driver classes', () => {
    expect(ORACLE_VIOLATION_KINDS).toEqual(['use-after-free', 'stale-read', 'lost-write', 'write-through-read-only', 'aging', 'leak', 'access-in-invalidation', 'map-in-invalidation', 'late-secondary-flush', 'revoked-translation']);
    expect(DRIVER_CLASSES).toEqual(['no-references', 'holds-references', 'shares-cpu-page-table']);
    expect(isDriverClass('holds-references')).toBe(true);
    expect(isDriverClass('gru')).toBe(false);
  });

  it('keeps one oracle per machine, none shared between machines', () => {
    const a = new Machine({ memory: { frames: 16 } });
    const b = new Machine({ memory: { frames: 16 } });
    expect(coherenceOracle(a)).toBe(coherenceOracle(a));
    expect(coherenceOracle(a)).not.toBe(coherenceOracle(b));
  });
});

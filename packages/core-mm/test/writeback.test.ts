import { describe, expect, it } from 'vitest';
import { Completion, ERAS, Machine, MAP, PG, PROT, PTE, shrinkPage, type Era, type Inode, type MmEvent, type SecondaryMmuPort, type Task } from '../src/index.js';
import { pageMkclean, syncAll, writebackFile, writebackLocked, writebackPage } from '../src/mm/writeback.js';
import { ANON, code, P, pteOf, RW, setup, v } from './support/mm-helpers.js';
import { RecordingPort } from './support/recording-port.js';

const RCU = (era: Era): string[] => (era === 'v2.6.27' ? ['rcu_read_lock (rcu, read)'] : []);
const RMAP = (era: Era): string => (era === 'v6' ? 'i_mmap_rwsem (rwsem, read)' : 'i_mmap_lock (spinlock)');

/** A file of `pages` pages mapped MAP_SHARED read-write by the task. */
async function sharedFile(m: Machine, t: Task, pages = 1, name = 'f'): Promise<{ file: Inode; a: number }> {
  const file = m.mem.createFile(name, pages * P);
  const a = await v(m.mem.mmap(t, { length: pages * P, prot: RW, flags: MAP.shared, file }));
  return { file, a };
}

function flags(m: Machine, pfn: number): number {
  return m.mem.frames.flags[pfn]!;
}

describe('writeback: content', () => {
  for (const era of ERAS) {
    it(`${era}: a CPU write is stored by writeback, the mapping is write-protected and clean, a second write faults (mkwrite) and is stored too`, async () => {
      const { m, t } = setup(era, 64);
      const { file, a } = await sharedFile(m, t);
      const flusher = m.task('flush');
      const ptes: MmEvent[] = [];
      m.mem.observers.subscribe((e) => {
        if (e.kind === 'pte') ptes.push(e);
      });
      await v(m.mem.write(t, a, 0x1234));
      const pfn = file.pageCache.get(0)!;
      expect(flags(m, pfn) & PG.dirty).toBe(PG.dirty);
      expect(file.backing.has(0)).toBe(false);

      expect(await v(writebackFile(m.mem, flusher, file))).toBe(1);
      expect(file.backing.get(0)).toBe(0x1234);
      expect(m.mem.pread(t, file, 0, P)).toEqual([0x1234]);
      const after = pteOf(t, a);
      expect(after.pfn).toBe(pfn);
      expect(after.bits & (PTE.present | PTE.write | PTE.dirty)).toBe(PTE.present);
      expect(flags(m, pfn) & (PG.dirty | PG.writeback)).toBe(0);
      expect(await v(writebackFile(m.mem, flusher, file))).toBe(0); // nothing dirty any more

      // The write finds the entry read-only: a write-protect fault makes it writable and dirties the page.
      ptes.length = 0;
      await v(m.mem.write(t, a, 0x5678));
      expect(ptes.map((e) => (e.kind === 'pte' ? `${e.cause} ${e.oldPermission}->${e.newPermission}` : ''))).toEqual(['mkwrite read->write']);
      expect(flags(m, pfn) & PG.dirty).toBe(PG.dirty);
      expect(pteOf(t, a).bits & PTE.write).toBe(PTE.write);
      expect(file.backing.get(0)).toBe(0x1234); // not yet written
      expect(await v(writebackFile(m.mem, flusher, file))).toBe(1);
      expect(file.backing.get(0)).toBe(0x5678);
      expect(m.report.violations).toEqual([]);
    });

    it(`${era}: a dirty page survives reclaim until written back; once clean it is dropped and re-read from the file`, async () => {
      const { m, t } = setup(era, 64);
      const { file, a } = await sharedFile(m, t);
      const kswapd = m.task('kswapd');
      await v(m.mem.write(t, a, 0xbeef));
      const pfn = file.pageCache.get(0)!;
      // Unwritten dirty data is never dropped: the unmap moves the PTE's dirty bit into the page.
      // 2.6.2x's reclaim then writes it (pageout) and drops it; v6 keeps it unless kswapd asks to write.
      expect(await v(shrinkPage(m.mem, kswapd, pfn))).toBe('activate'); // young
      const verdict = await v(shrinkPage(m.mem, kswapd, pfn));
      if (era === 'v6') {
        expect(verdict).not.toBe('freed');
        expect(file.backing.get(0)).toBeUndefined();
        if (file.pageCache.get(0) === pfn && (flags(m, pfn) & PG.dirty) !== 0) expect(await v(writebackFile(m.mem, kswapd, file))).toBe(1);
      } else {
        expect(verdict).toBe('freed');
      }
      expect(file.backing.get(0)).toBe(0xbeef);
      // Clean now: reclaim drops it (a pass to clear the young bit if it is still mapped, then the drop).
      for (let pass = 0; pass < 3 && file.pageCache.has(0); pass++) await v(shrinkPage(m.mem, kswapd, file.pageCache.get(0)!));
      expect(file.pageCache.has(0)).toBe(false);
      expect(m.mem.pread(t, file, 0, P)).toEqual([0xbeef]);
      // Through the mapping: the fault reads the page back from the backing store.
      expect(await v(m.mem.read(t, a))).toBe(0xbeef);
      expect(file.pageCache.has(0)).toBe(true);
      // And through a fresh mapping after munmap.
      await v(m.mem.munmap(t, a, P));
      const b = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
      expect(await v(m.mem.read(t, b))).toBe(0xbeef);
      expect(m.report.violations).toEqual([]);
    });
  }

  it('writes every dirty page in index order (pwrite and mapped writes), leaves private mappings alone, sync covers every file', async () => {
    const { m, t } = setup('v6', 64);
    const { file, a } = await sharedFile(m, t, 3);
    const priv = await v(m.mem.mmap(t, { length: 3 * P, prot: PROT.read, flags: MAP.private, file }));
    await v(m.mem.write(t, a + 2 * P, 22));
    await v(m.mem.write(t, a, 10));
    await v(m.mem.pwrite(t, file, P, [11]));
    expect(await v(m.mem.read(t, priv + P))).toBe(11); // a private read-only mapping of page 1
    const other = m.mem.createFile('g', P);
    await v(m.mem.pwrite(t, other, 0, [7]));
    const cleaned: number[] = [];
    m.mem.observers.subscribe((e) => {
      if (e.kind === 'clean') cleaned.push(e.content);
    });
    const privBefore = pteOf(t, priv + P);
    expect(await v(syncAll(m.mem, m.task('sync')))).toBe(4);
    expect(cleaned).toEqual([10, 11, 22, 7]);
    expect([...file.backing].sort((x, y) => x[0] - y[0])).toEqual([
      [0, 10],
      [1, 11],
      [2, 22],
    ]);
    expect(other.backing.get(0)).toBe(7);
    expect(pteOf(t, priv + P)).toEqual(privBefore);
    expect(await v(syncAll(m.mem, m.task('sync')))).toBe(0);
  });

  it('page_mkclean counts the shared entries that were writable or dirty and needs the page lock', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const file = m.mem.createFile('f', P);
    const tasks: Task[] = [];
    for (const name of ['a', 'b', 'c']) {
      const t = m.mem.createProcess(name).task(name);
      const shared = name !== 'c';
      const a = await v(m.mem.mmap(t, { length: P, prot: shared ? RW : PROT.read, flags: shared ? MAP.shared : MAP.private, file }));
      if (name === 'a') await v(m.mem.write(t, a, 1));
      else await v(m.mem.read(t, a));
      tasks.push(t);
    }
    const pfn = file.pageCache.get(0)!;
    expect(m.mem.frames.mapcount[pfn]).toBe(3);
    const t = m.task('flush');
    expect(await code(() => pageMkclean(m.mem, t, pfn))).toBe('EINVAL'); // BUG_ON(!PageLocked)
    expect(await code(() => writebackLocked(m.mem, t, pfn))).toBe('EINVAL');
    await v(m.mem.pageLock.lock(t, pfn));
    expect(await v(pageMkclean(m.mem, t, pfn))).toBe(1); // only a's entry was writable (and dirty)
    expect(await v(pageMkclean(m.mem, t, pfn))).toBe(0);
    expect(flags(m, pfn) & PG.dirty).toBe(PG.dirty); // the dirt moved into the page
    expect(await v(writebackLocked(m.mem, t, pfn))).toBe(true);
    expect(await v(writebackLocked(m.mem, t, pfn))).toBe(false);
    await v(m.mem.pageLock.unlock(t, pfn));
    expect(file.backing.get(0)).toBe(1);
  });

  it('rejects frames that are not page-cache pages of a regular file, before changing anything', async () => {
    const { m, t } = setup('v6', 64);
    const anon = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, anon, 5));
    const anonPfn = pteOf(t, anon).pfn;
    const shm = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared | MAP.anonymous }));
    await v(m.mem.write(t, shm, 6));
    const shmPfn = pteOf(t, shm).pfn;
    const flusher = m.task('flush');
    expect(await code(() => writebackPage(m.mem, flusher, anonPfn))).toBe('EINVAL');
    expect(await code(() => writebackPage(m.mem, flusher, shmPfn))).toBe('EINVAL');
    expect(await code(() => writebackPage(m.mem, flusher, 1 << 20))).toBe('EINVAL');
    expect(await code(() => writebackPage(m.mem, flusher, 1.5))).toBe('EINVAL');
    expect(await code(() => pageMkclean(m.mem, flusher, -1))).toBe('EINVAL');
    expect(await code(() => writebackFile(m.mem, flusher, {} as Inode))).toBe('EINVAL');
    const free = m.mem.frames.count - 1;
    expect(flags(m, free) & PG.free).toBe(PG.free);
    expect(await code(() => writebackPage(m.mem, flusher, free))).toBe('EINVAL');
    // An anonymous page has no file mapping to clean.
    await v(m.mem.pageLock.lock(flusher, anonPfn));
    expect(await v(pageMkclean(m.mem, flusher, anonPfn))).toBe(0);
    await v(m.mem.pageLock.unlock(flusher, anonPfn));
    expect(pteOf(t, anon).bits & PTE.write).toBe(PTE.write);
    // shmem is not written back (mapping_can_writeback is false): sync leaves it dirty.
    expect(await v(syncAll(m.mem, flusher))).toBe(0);
    expect(flags(m, shmPfn) & PG.dirty).toBe(PG.dirty);
    expect(m.mem.frames.flags[anonPfn]! & PG.locked).toBe(0);
  });

  it('the clean event carries the stored content and the frame generation', async () => {
    const { m, t } = setup('rfc-2008', 64);
    const { file, a } = await sharedFile(m, t);
    await v(m.mem.write(t, a, 0xc0ffee));
    const pfn = file.pageCache.get(0)!;
    const events: MmEvent[] = [];
    m.mem.observers.subscribe((e) => events.push(e));
    expect(await v(writebackPage(m.mem, m.task('flush'), pfn))).toBe(true);
    expect(await v(writebackPage(m.mem, m.task('flush'), pfn))).toBe(false); // clean: no event
    const clean = events.filter((e) => e.kind === 'clean');
    expect(clean).toEqual([{ kind: 'clean', pfn, generation: m.mem.frames.generation[pfn], content: 0xc0ffee, time: m.clock.now }]);
    // 2008: ptep_clear_flush, then set_pte_at of the write-protected entry; the clean epoch follows.
    expect(events.map((e) => (e.kind === 'pte' ? `pte ${e.cause} ${e.oldPermission}->${e.newPermission}` : e.kind))).toEqual([
      'pte mkclean write->none',
      'pte mkclean none->read',
      'clean',
    ]);
  });
});

/** A file page written through two processes' shared mappings, each mm with a recording port. */
async function twoWriters(era: Era): Promise<{ m: Machine; file: Inode; pfn: number; ports: RecordingPort[]; addrs: number[] }> {
  const m = new Machine({ era, memory: { frames: 64 } });
  const file = m.mem.createFile('f', P);
  const ports: RecordingPort[] = [];
  const addrs: number[] = [];
  for (const name of ['a', 'b']) {
    const t = m.mem.createProcess(name).task(name);
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file }));
    await v(m.mem.write(t, a, name === 'a' ? 1 : 2));
    const port = new RecordingPort();
    t.mm!.secondary = port;
    ports.push(port);
    addrs.push(a);
  }
  return { m, file, pfn: file.pageCache.get(0)!, ports, addrs };
}

describe('writeback call sites (recording port)', () => {
  for (const era of ERAS) {
    it(`${era}: ${era === 'v6' ? 'a PROTECTION_PAGE range per mapping, page lock and i_mmap_rwsem held, no PT lock' : 'invalidate_page after ptep_clear_flush, under the PT lock and the i_mmap_lock spinlock'}`, async () => {
      const { m, file, pfn, ports, addrs } = await twoWriters(era);
      const events: string[] = [];
      m.mem.observers.subscribe((e) => {
        if (e.kind === 'pte') events.push(`${e.cause} ${e.oldPermission}->${e.newPermission}`);
      });
      expect(await v(writebackFile(m.mem, m.task('flush'), file))).toBe(1);
      expect(file.backing.get(0)).toBe(2);
      const page = `PG_locked[${pfn}] (bit-lock)`;
      ports.forEach((port, k) => {
        const range = { start: addrs[k], end: addrs[k]! + P };
        if (era === 'v6') {
          // The range around the PT lock; the CPU TLB flush reaches secondary TLBs under it.
          expect(port.ops()).toEqual(['start', 'secondary_tlbs', 'end']);
          for (const call of port.calls.filter((c) => c.op !== 'secondary_tlbs')) {
            expect(call).toMatchObject({ ...range, event: 'protection-page', blockable: true, preemptCount: 0 });
            expect(call.held).toEqual([page, RMAP(era)]);
          }
          expect(port.calls[1]).toMatchObject({ ...range, preemptCount: 1 });
        } else {
          expect(port.ops()).toEqual(['invalidate_page']);
          expect(port.calls[0]).toMatchObject(range);
          expect(port.calls[0]!.held).toEqual([page, RMAP(era), 'ptl (spinlock)', ...RCU(era)]);
          expect(port.calls[0]!.preemptCount).toBe(2); // the i_mmap_lock spinlock and the PT lock
        }
      });
      expect(events).toEqual(era === 'v6' ? ['mkclean write->read', 'mkclean write->read'] : ['mkclean write->none', 'mkclean none->read', 'mkclean write->none', 'mkclean none->read']);
      expect(m.report.violations).toEqual([]);
    });

    it(`${era}: a port callback that sleeps during writeback is ${era === 'v6' ? 'legal in the blockable PROTECTION_PAGE range' : 'a might-sleep report in page_mkclean_one'}`, async () => {
      const { m, file, ports } = await twoWriters(era);
      const ack = new Completion(m, 'remote_ack');
      for (const port of ports as SecondaryMmuPort[]) {
        // A message-passing driver: the page-level or range callback waits for a remote acknowledgement.
        port.invalidatePage = (task: Task) => ack.wait(task);
        port.invalidateRangeStart = (task: Task) => {
          const w = ack.wait(task);
          return w instanceof Promise ? w.then(() => 0) : 0;
        };
      }
      let written = -1;
      m.sched.spawn('flush', async (t) => {
        written = await v(writebackFile(m.mem, t, file));
      });
      m.sched.spawn('remote', async (t) => {
        for (let i = 0; i < 4; i++) {
          ack.complete();
          await m.sched.sleep(t, 10);
        }
      });
      const r = await m.sched.run();
      expect(written).toBe(1);
      expect(file.backing.get(0)).toBe(2);
      const sleeps = r.violations.filter((x) => x.kind === 'might-sleep');
      if (era === 'v6') expect(r.violations).toEqual([]);
      else {
        expect(sleeps.length).toBeGreaterThan(0);
        expect(sleeps[0]!.message).toContain('wait_for_completion(remote_ack)');
        expect(sleeps[0]!.heldLocks).toContain('i_mmap_lock (spinlock)');
        expect(sleeps[0]!.heldLocks).toContain('ptl (spinlock)');
        expect(sleeps[0]!.heldLocks.some((l) => l.startsWith('PG_locked['))).toBe(true);
      }
    });
  }
});

describe('writeback racing with writers', () => {
  for (const era of ERAS) {
    it(`${era}: nothing written is lost: once the writers unmap, sync stores the last value of every page (random schedules)`, async () => {
      for (let seed = 1; seed <= 25; seed++) {
        const m = new Machine({ era, seed, schedule: { strategy: 'random' }, memory: { frames: 64 } });
        const file = m.mem.createFile('f', 2 * P);
        const last = [0, 0];
        const writers = ['w1', 'w2'].map((name) => m.mem.createProcess(name));
        const addrs: number[] = [];
        for (const p of writers) addrs.push(await v(m.mem.mmap(p.task(), { length: 2 * P, prot: RW, flags: MAP.shared, file })));
        writers.forEach((p, w) => {
          p.spawn(`${p.name}-run`, async (t) => {
            for (let i = 1; i <= 6; i++) {
              const page = (i + w) % 2;
              const value = (w + 1) * 1000 + i;
              await v(m.mem.write(t, addrs[w]! + page * P, value));
              last[page] = value;
            }
            await v(m.mem.munmap(t, addrs[w]!, 2 * P)); // a dirty entry's bit goes to the page
          });
        });
        m.sched.spawn('flush', async (t) => {
          for (let i = 0; i < 4; i++) await v(writebackFile(m.mem, t, file));
        });
        const r = await m.sched.run();
        expect(r.violations, `seed ${seed}`).toEqual([]);
        await v(syncAll(m.mem, m.task('sync')));
        expect([file.backing.get(0) ?? 0, file.backing.get(1) ?? 0], `seed ${seed}`).toEqual(last);
      }
    });
  }

  // Regression: do_shared_fault / wp_page_shared made the entry writable and set PG_dirty
  // without the page lock, so a fault landing while writeback's walk was past its mapping left
  // a writable entry on a page writeback then marked clean, and sync skipped later stores. The
  // fault now holds the page lock across map-writable + set_page_dirty, as the kernel does.
  it('v6: a shared write fault during the mkclean walk is not lost to sync (the fault holds the page lock)', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const file = m.mem.createFile('f', P);
    // The writer's vma comes first in i_mmap: the walk passes it (not mapped yet) before it waits in other's.
    const writer = m.mem.createProcess('writer');
    const a = await v(m.mem.mmap(writer.task(), { length: P, prot: RW, flags: MAP.shared, file }));
    const other = m.mem.createProcess('other');
    const b = await v(m.mem.mmap(other.task(), { length: P, prot: RW, flags: MAP.shared, file }));
    await v(m.mem.write(other.task(), b, 1));
    const port: SecondaryMmuPort = new RecordingPort();
    const ack = new Completion(m, 'remote_ack');
    port.invalidateRangeStart = (task: Task) => {
      const w = ack.wait(task);
      return w instanceof Promise ? w.then(() => 0) : 0;
    };
    other.mm!.secondary = port;
    m.sched.spawn('flush', async (t) => {
      await v(writebackFile(m.mem, t, file)); // waits in other's PROTECTION_PAGE start, page locked
    });
    writer.spawn('writer', async (t) => {
      await v(m.mem.write(t, a, 2)); // faults while the walk waits
      await m.sched.sleep(t, 100); // writeback has finished
      await v(m.mem.write(t, a, 3)); // no fault if the entry stayed writable
    });
    m.sched.spawn('remote', async (t) => {
      await m.sched.sleep(t, 10);
      ack.complete();
    });
    expect((await m.sched.run()).violations).toEqual([]);
    await v(syncAll(m.mem, m.task('sync')));
    expect(file.backing.get(0)).toBe(3);
  });

  // Regression: truncatePages dropped the hole from the backing store before it took each
  // page's lock, so a writeback holding the lock stored the page into the hole. The backing
  // entry is now deleted again under the page lock (the kernel frees blocks after the cache).
  it('v6: a hole punched while writeback holds the page lock reads as zero (the backing drop under the page lock)', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const { file, a } = await sharedFile(m, m.mem.createProcess('p').task());
    const t0 = m.mem.processes[0]!.tasks[0]!;
    await v(m.mem.write(t0, a, 7));
    const port: SecondaryMmuPort = new RecordingPort();
    const ack = new Completion(m, 'remote_ack');
    port.invalidateRangeStart = (task: Task, range) => {
      if (range.event !== 'protection-page') return 0;
      const w = ack.wait(task); // writeback waits here with the page locked
      return w instanceof Promise ? w.then(() => 0) : 0;
    };
    t0.mm!.secondary = port;
    m.sched.spawn('flush', async (t) => {
      await v(writebackFile(m.mem, t, file));
    });
    m.sched.spawn('punch', async (t) => {
      await v(m.mem.punchHole(t, file, 0, P));
    });
    m.sched.spawn('remote', async (t) => {
      await m.sched.sleep(t, 10);
      ack.complete();
    });
    expect((await m.sched.run()).violations).toEqual([]);
    expect(file.pageCache.has(0)).toBe(false);
    expect(m.mem.pread(m.task('reader'), file, 0, P)).toEqual([0]);
  });
});

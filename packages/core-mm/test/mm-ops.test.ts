import { describe, expect, it } from 'vitest';
import { ERAS, getUserPages, Machine, MAP, PG, PROT, PTE, rmapHits, stateDigest, unpinUserPage, verify, VM } from '../src/index.js';
import { fork } from '../src/mm/fork.js';
import { madvise } from '../src/mm/madvise.js';
import { mlock, munlock } from '../src/mm/mlock.js';
import { mprotect } from '../src/mm/mprotect.js';
import { RecordingPort } from './support/recording-port.js';
import { ANON, code, P, pteOf, RW, setup, underMmapRead, v } from './support/mm-helpers.js';

/** Everything a rejected call must leave alone: the whole machine state. */
function digest(m: Machine): string {
  return stateDigest(m);
}

/** DEBUG_VM-style: every invariant of the memory model holds (mapcounts, rss, rmap, …). */
function checkMapcounts(m: Machine): void {
  expect(verify(m, { record: false }).map((x) => x.message)).toEqual([]);
}

for (const era of ERAS) {
  describe(`fork (${era})`, () => {
    it('private anonymous memory is copied on write: neither side sees the other write', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 3 * P, prot: RW, flags: ANON }));
      expect(a).toBeGreaterThan(2 ** 32);
      await v(m.mem.write(t, a, 0x111));
      await v(m.mem.write(t, a + P, 0x222));
      await v(m.mem.read(t, a + 2 * P)); // the zero page
      const shared = pteOf(t, a).pfn;
      const child = await v(fork(m.mem, t, 'child'));
      const c = child.task('child/0');
      expect(m.mem.processes).toContain(child);
      expect(child.mm!.vmas.all().map(String)).toEqual(t.mm!.vmas.all().map(String));
      expect(pteOf(c, a).pfn).toBe(shared);
      expect(m.mem.frames.mapcount[shared]).toBe(2);
      expect(pteOf(t, a).bits & PTE.write).toBe(0); // the parent was write-protected
      expect(pteOf(c, a).bits & (PTE.write | PTE.young)).toBe(0); // wrprotect + mkold
      expect(rmapHits(m.mem, shared).map((h) => h.vma.mm.id).sort()).toEqual([t.mm!.id, child.mm!.id].sort());
      expect(await v(m.mem.read(c, a))).toBe(0x111);
      expect(await v(m.mem.read(c, a + P))).toBe(0x222);
      expect(await v(m.mem.read(c, a + 2 * P))).toBe(0);
      await v(m.mem.write(c, a, 0xc0));
      await v(m.mem.write(t, a + P, 0xb1));
      expect(await v(m.mem.read(t, a))).toBe(0x111);
      expect(await v(m.mem.read(c, a))).toBe(0xc0);
      expect(await v(m.mem.read(c, a + P))).toBe(0x222);
      expect(await v(m.mem.read(t, a + P))).toBe(0xb1);
      // The last mapper of a COWed page reuses it in place.
      await v(m.mem.write(t, a, 0x112));
      expect(pteOf(t, a).pfn).toBe(shared);
      expect(child.mm!.rss).toBe(era === 'v6' ? 2 : 3); // 2008: the read fault allocated a page (no zero page)
      checkMapcounts(m);
      await v(m.mem.exit(c));
      expect(await v(m.mem.read(t, a + P))).toBe(0xb1);
      checkMapcounts(m);
    });

    it('a shared mapping stays shared: both processes see each other’s writes', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.shared | MAP.anonymous }));
      await v(m.mem.write(t, a, 5));
      const c = (await v(fork(m.mem, t, 'child'))).task();
      expect(await v(m.mem.read(c, a))).toBe(5);
      await v(m.mem.write(c, a, 6));
      await v(m.mem.write(c, a + P, 7));
      expect(await v(m.mem.read(t, a))).toBe(6);
      expect(await v(m.mem.read(t, a + P))).toBe(7);
      await v(m.mem.write(t, a + P, 8));
      expect(await v(m.mem.read(c, a + P))).toBe(8);
      expect(pteOf(t, a).pfn).toBe(pteOf(c, a).pfn);
      checkMapcounts(m);
    });

    it('a private file mapping: COWed pages are copied, file pages re-read the cache; mlock is not inherited', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('lib', 2 * P);
      file.backing.set(0, 10);
      file.backing.set(1, 20);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.private, file }));
      await v(m.mem.write(t, a, 11));
      expect(await v(m.mem.read(t, a + P))).toBe(20);
      await v(mlock(m.mem, t, a, 2 * P));
      const c = (await v(fork(m.mem, t, 'child'))).task();
      expect(t.mm!.vmas.all()[0]!.flags & VM.locked).toBe(VM.locked);
      expect(c.mm!.vmas.all()[0]!.flags & VM.locked).toBe(0);
      expect(await v(m.mem.read(c, a))).toBe(11);
      expect(await v(m.mem.read(c, a + P))).toBe(20);
      await v(m.mem.write(c, a + P, 21));
      expect(await v(m.mem.read(t, a + P))).toBe(20);
      expect(m.mem.frames.content[file.pageCache.get(1)!]).toBe(20);
      checkMapcounts(m);
    });

    it(era === 'v6' ? 'a pinned anonymous page is copied for the child at fork' : 'a pinned anonymous page is shared with the child (no fork/pin rule before 5.x)', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 0x9));
      const [pinned] = await underMmapRead(t, () => getUserPages(m.mem, t, t.mm!, a, 1, { pin: true, write: true }));
      expect(t.mm!.hasPinned).toBe(true); // MMF_HAS_PINNED
      const c = (await v(fork(m.mem, t, 'child'))).task();
      if (era === 'v6') {
        expect(pteOf(c, a).pfn).not.toBe(pinned);
        expect(pteOf(t, a).bits & PTE.write).toBe(PTE.write); // the parent keeps its writable entry
        expect(pteOf(c, a).bits & (PTE.write | PTE.dirty)).toBe(PTE.write | PTE.dirty);
        expect(m.mem.frames.mapcount[pinned!]).toBe(1);
      } else {
        expect(pteOf(c, a).pfn).toBe(pinned);
        expect(pteOf(t, a).bits & PTE.write).toBe(0);
      }
      expect(await v(m.mem.read(c, a))).toBe(0x9);
      await v(m.mem.write(c, a, 0xa));
      expect(await v(m.mem.read(t, a))).toBe(0x9);
      checkMapcounts(m);
      await v(unpinUserPage(m.mem, t, pinned!));
    });

    if (era === 'v6') {
      it('v6 copies at fork only an exclusive pinned page of an mm that pinned: a COW-shared page and a shared mapping are not copied', async () => {
        const { m, t } = setup(era);
        const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
        await v(m.mem.write(t, a, 0x9));
        const pfn = pteOf(t, a).pfn;
        await v(fork(m.mem, t, 'first')); // the page is COW-shared now, not exclusive
        const file = m.mem.createFile('f', P);
        const s = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file }));
        await v(m.mem.write(t, s, 5));
        const [filePfn] = await underMmapRead(t, () => getUserPages(m.mem, t, t.mm!, s, 1, { pin: true }));
        m.mem.frames.pincount[pfn] = 1; // a pin that v6's gup would have refused without unsharing
        m.mem.allocator.get(pfn);
        const c = (await v(fork(m.mem, t, 'second'))).task();
        expect(pteOf(c, a).pfn).toBe(pfn);
        expect(await v(m.mem.read(c, s))).toBe(5); // shared file entries are not copied (vma_needs_copy): faulted in
        expect(pteOf(c, s).pfn).toBe(filePfn);
        m.mem.frames.pincount[pfn] = 0;
        m.mem.allocator.put(t, pfn);
        await v(unpinUserPage(m.mem, t, filePfn!));
      });
    }

    it('bad input: no name, no address space — nothing changes', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const before = digest(m);
      expect(await code(() => fork(m.mem, t, ''))).toBe('EINVAL');
      expect(await code(() => fork(m.mem, m.task('kthread'), 'x'))).toBe('EINVAL');
      expect(digest(m)).toBe(before);
      expect(m.mem.processes).toHaveLength(1);
    });
  });

  describe(`mprotect (${era})`, () => {
    it('read-only then write is SIGSEGV; back to read-write the write works and content is kept', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 0x77));
      const pfn = pteOf(t, a).pfn;
      await v(mprotect(m.mem, t, a, 2 * P, PROT.read));
      expect(pteOf(t, a).bits & PTE.write).toBe(0);
      expect(await code(() => m.mem.write(t, a, 1))).toBe('SIGSEGV');
      expect(await v(m.mem.read(t, a))).toBe(0x77);
      await v(mprotect(m.mem, t, a, 2 * P, RW));
      // v6 makes an exclusive anonymous page writable at once (MM_CP_TRY_CHANGE_WRITABLE);
      // the 2008 eras leave it read-only and the next write faults.
      expect(pteOf(t, a).bits & PTE.write).toBe(era === 'v6' ? PTE.write : 0);
      await v(m.mem.write(t, a, 0x78));
      expect(pteOf(t, a).pfn).toBe(pfn); // write-protect fault reused the page
      expect(await v(m.mem.read(t, a))).toBe(0x78);
      expect(t.mm!.vmas.size).toBe(1);
      checkMapcounts(m);
    });

    it('PROT_NONE keeps the entry present without user access; restoring read brings the content back', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 0x55));
      const pfn = pteOf(t, a).pfn;
      await v(mprotect(m.mem, t, a, P, PROT.none));
      expect(pteOf(t, a).pfn).toBe(pfn);
      expect(pteOf(t, a).bits & (PTE.present | PTE.user | PTE.write)).toBe(PTE.present);
      expect(await code(() => m.mem.read(t, a))).toBe('SIGSEGV');
      expect(await code(() => m.mem.write(t, a, 1))).toBe('SIGSEGV');
      await v(mprotect(m.mem, t, a, P, PROT.read));
      expect(await v(m.mem.read(t, a))).toBe(0x55);
      checkMapcounts(m);
    });

    it('part of a vma splits it; changing it back merges; a shared file write after RW goes through mkwrite', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: ANON }));
      for (let i = 0; i < 4; i++) await v(m.mem.write(t, a + i * P, i + 1));
      await v(mprotect(m.mem, t, a + P, 2 * P, PROT.read));
      expect(t.mm!.vmas.all().map(String)).toEqual([`${a.toString(16)}-${(a + P).toString(16)} rw-p`, `${(a + P).toString(16)}-${(a + 3 * P).toString(16)} r--p`, `${(a + 3 * P).toString(16)}-${(a + 4 * P).toString(16)} rw-p`]);
      await v(m.mem.write(t, a, 9));
      await v(m.mem.write(t, a + 3 * P, 9));
      expect(await code(() => m.mem.write(t, a + 2 * P, 9))).toBe('SIGSEGV');
      await v(mprotect(m.mem, t, a + P, 2 * P, RW));
      expect(t.mm!.vmas.size).toBe(1);
      for (let i = 1; i < 3; i++) expect(await v(m.mem.read(t, a + i * P))).toBe(i + 1);
      const file = m.mem.createFile('f', P);
      const f = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
      expect(await v(m.mem.read(t, f))).toBe(0);
      await v(mprotect(m.mem, t, f, P, RW));
      await v(m.mem.write(t, f, 0xf11e));
      expect(m.mem.frames.content[file.pageCache.get(0)!]).toBe(0xf11e);
      expect(m.mem.frames.flags[file.pageCache.get(0)!]! & PG.dirty).toBe(PG.dirty);
      checkMapcounts(m);
    });

    it('a range starting in a hole is ENOMEM and changes nothing; a hole in the middle changes the vmas before it', async () => {
      const { m, t } = setup(era);
      const base = 2 ** 40;
      await v(m.mem.mmap(t, { addr: base, length: 2 * P, prot: RW, flags: ANON | MAP.fixed }));
      await v(m.mem.mmap(t, { addr: base + 3 * P, length: 2 * P, prot: RW, flags: ANON | MAP.fixed }));
      await v(m.mem.write(t, base, 1));
      await v(m.mem.write(t, base + 3 * P, 2));
      const before = digest(m);
      expect(await code(() => mprotect(m.mem, t, base - P, 3 * P, PROT.read))).toBe('ENOMEM');
      expect(await code(() => mprotect(m.mem, t, base + 2 * P, 2 * P, PROT.read))).toBe('ENOMEM');
      expect(digest(m)).toBe(before);
      expect(await code(() => mprotect(m.mem, t, base + P, 3 * P, PROT.read))).toBe('ENOMEM');
      expect(t.mm!.vmas.all().map(String)).toEqual([
        `${base.toString(16)}-${(base + P).toString(16)} rw-p`,
        `${(base + P).toString(16)}-${(base + 2 * P).toString(16)} r--p`,
        `${(base + 3 * P).toString(16)}-${(base + 5 * P).toString(16)} rw-p`,
      ]);
      await v(m.mem.write(t, base + 3 * P, 3)); // after the hole: untouched
      expect(t.mm!.mmapLock.writeLocked).toBe(false);
      checkMapcounts(m);
    });

    it('bad input is rejected with Linux codes and leaves the machine as it was', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const before = digest(m);
      const cases: [() => unknown, string][] = [
        [() => mprotect(m.mem, t, a + 1, P, PROT.read), 'EINVAL'],
        [() => mprotect(m.mem, t, a, P, 8), 'EINVAL'],
        [() => mprotect(m.mem, t, a, P, 2 ** 32 + 1), 'EINVAL'],
        [() => mprotect(m.mem, t, a, P, -1), 'EINVAL'],
        [() => mprotect(m.mem, t, a, -1, PROT.read), 'EINVAL'],
        [() => mprotect(m.mem, t, a, 1.5, PROT.read), 'EINVAL'],
        [() => mprotect(m.mem, t, a, 2 ** 53, PROT.read), 'ENOMEM'],
        [() => mprotect(m.mem, t, a, 2 ** 47, PROT.read), 'ENOMEM'],
        [() => mprotect(m.mem, t, 2 ** 47, P, PROT.read), 'ENOMEM'],
        [() => mprotect(m.mem, t, a, 0, PROT.read), 'ok'],
        [() => mprotect(m.mem, t, a, 0, 8), 'ok'], // Linux looks at prot only for a non-empty range
        [() => mprotect(m.mem, m.task('kthread'), a, P, PROT.read), 'EINVAL'],
      ];
      for (const [call, expected] of cases) expect(await code(call)).toBe(expected);
      expect(digest(m)).toBe(before);
      expect(m.report.violations).toEqual([]);
    });

    it('partial munmap keeps the rest, content included', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: ANON }));
      for (let i = 0; i < 4; i++) await v(m.mem.write(t, a + i * P, 0x100 + i));
      await v(mprotect(m.mem, t, a, 4 * P, PROT.read));
      await v(m.mem.munmap(t, a + P, P));
      expect(await v(m.mem.read(t, a))).toBe(0x100);
      expect(await v(m.mem.read(t, a + 2 * P))).toBe(0x102);
      expect(await v(m.mem.read(t, a + 3 * P))).toBe(0x103);
      expect(await code(() => m.mem.read(t, a + P))).toBe('SIGSEGV');
      checkMapcounts(m);
    });
  });

  describe(`madvise DONTNEED (${era})`, () => {
    it('anonymous memory reads zero after; a private file page re-reads the file', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 0xdead));
      await v(m.mem.write(t, a + P, 0xbeef));
      const free = m.mem.allocator.freeCount;
      await v(madvise(m.mem, t, a, P, 'dontneed'));
      expect(m.mem.allocator.freeCount).toBe(free + 1);
      expect(pteOf(t, a).bits).toBe(0);
      expect(await v(m.mem.read(t, a))).toBe(0);
      expect(await v(m.mem.read(t, a + P))).toBe(0xbeef);
      const file = m.mem.createFile('data', P);
      file.backing.set(0, 0xf00d);
      const f = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.private, file }));
      await v(m.mem.write(t, f, 0x1));
      expect(await v(m.mem.read(t, f))).toBe(0x1);
      await v(madvise(m.mem, t, f, P, 'dontneed'));
      expect(await v(m.mem.read(t, f))).toBe(0xf00d);
      checkMapcounts(m);
    });

    it('unmapped parts are ENOMEM after the mapped parts were zapped; a locked vma is EINVAL with nothing zapped', async () => {
      const { m, t } = setup(era);
      const base = 2 ** 41;
      await v(m.mem.mmap(t, { addr: base, length: P, prot: RW, flags: ANON | MAP.fixed }));
      await v(m.mem.mmap(t, { addr: base + 2 * P, length: P, prot: RW, flags: ANON | MAP.fixed }));
      await v(m.mem.write(t, base, 1));
      await v(m.mem.write(t, base + 2 * P, 2));
      expect(await code(() => madvise(m.mem, t, base, 4 * P, 'dontneed'))).toBe('ENOMEM');
      expect(await v(m.mem.read(t, base))).toBe(0);
      expect(await v(m.mem.read(t, base + 2 * P))).toBe(0);
      await v(m.mem.write(t, base, 3));
      await v(m.mem.write(t, base + 2 * P, 4));
      await v(mlock(m.mem, t, base + 2 * P, P));
      const before = digest(m);
      expect(await code(() => madvise(m.mem, t, base, 3 * P, 'dontneed'))).toBe('EINVAL');
      expect(digest(m)).toBe(before);
      expect(await v(m.mem.read(t, base))).toBe(3);
      expect(t.mm!.mmapLock.readerCount).toBe(0);
      checkMapcounts(m);
    });

    it('bad input is rejected with Linux codes and leaves the machine as it was', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const before = digest(m);
      const cases: [() => unknown, string][] = [
        [() => madvise(m.mem, t, a + 8, P, 'dontneed'), 'EINVAL'],
        [() => madvise(m.mem, t, a, P, 'free' as 'dontneed'), 'EINVAL'],
        [() => madvise(m.mem, t, a, -P, 'dontneed'), 'EINVAL'],
        [() => madvise(m.mem, t, a, 2 ** 53, 'dontneed'), 'EINVAL'],
        [() => madvise(m.mem, t, a, 0, 'dontneed'), 'ok'],
      ];
      for (const [call, expected] of cases) expect(await code(call)).toBe(expected);
      expect(digest(m)).toBe(before);
      expect(m.report.violations).toEqual([]);
    });
  });

  describe(`mlock (${era})`, () => {
    it('populates every page (write faults for writable private memory) and marks the frames mlocked; munlock undoes it', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 0x42));
      expect(t.mm!.rss).toBe(1);
      await v(mlock(m.mem, t, a + P, 2 * P));
      expect(t.mm!.rss).toBe(3);
      expect(t.mm!.vmas.size).toBe(3);
      expect(t.mm!.vmas.lookup(a + P)!.flags & VM.locked).toBe(VM.locked);
      for (const i of [1, 2]) {
        const { pfn, bits } = pteOf(t, a + i * P);
        expect(bits & PTE.write).toBe(PTE.write);
        expect(m.mem.frames.flags[pfn]! & PG.mlocked).toBe(PG.mlocked);
      }
      expect(m.mem.frames.flags[pteOf(t, a).pfn]! & PG.mlocked).toBe(0);
      await v(mlock(m.mem, t, a, 4 * P));
      expect(t.mm!.vmas.size).toBe(1);
      expect(t.mm!.rss).toBe(4);
      expect(m.mem.frames.flags[pteOf(t, a).pfn]! & PG.mlocked).toBe(PG.mlocked);
      expect(await v(m.mem.read(t, a))).toBe(0x42);
      await v(munlock(m.mem, t, a, 4 * P));
      expect(t.mm!.vmas.all()[0]!.flags & VM.locked).toBe(0);
      for (let i = 0; i < 4; i++) expect(m.mem.frames.flags[pteOf(t, a + i * P).pfn]! & PG.mlocked).toBe(0);
      checkMapcounts(m);
    });

    it('read-only memory gets read faults; a shared file page stays mlocked while another locked vma maps it', async () => {
      const { m, t } = setup(era);
      const ro = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: ANON }));
      await v(mlock(m.mem, t, ro, P));
      // v6 maps the zero page for a read; the 2008 eras allocated a zeroed page.
      expect(pteOf(t, ro).pfn === m.mem.allocator.zeroPfn).toBe(era === 'v6');
      const file = m.mem.createFile('shared', P);
      file.backing.set(0, 0x5a);
      const f = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file }));
      const t2 = m.mem.createProcess('other').task();
      const g = await v(m.mem.mmap(t2, { length: P, prot: PROT.read, flags: MAP.shared, file }));
      await v(mlock(m.mem, t, f, P));
      await v(mlock(m.mem, t2, g, P));
      const pfn = file.pageCache.get(0)!;
      expect(pteOf(t, f).pfn).toBe(pfn);
      expect(pteOf(t, f).bits & PTE.write).toBe(0); // shared: not dirtied for nothing
      expect(m.mem.frames.flags[pfn]! & (PG.mlocked | PG.dirty)).toBe(PG.mlocked);
      await v(munlock(m.mem, t, f, P));
      expect(m.mem.frames.flags[pfn]! & PG.mlocked).toBe(PG.mlocked);
      await v(munlock(m.mem, t2, g, P));
      expect(m.mem.frames.flags[pfn]! & PG.mlocked).toBe(0);
      expect(await v(m.mem.read(t2, g))).toBe(0x5a);
      checkMapcounts(m);
    });

    it('holes: at the start ENOMEM with nothing changed; in the middle ENOMEM with the vmas before it locked (unpopulated)', async () => {
      const { m, t } = setup(era);
      const base = 2 ** 42;
      await v(m.mem.mmap(t, { addr: base, length: 2 * P, prot: RW, flags: ANON | MAP.fixed }));
      await v(m.mem.mmap(t, { addr: base + 3 * P, length: P, prot: RW, flags: ANON | MAP.fixed }));
      const before = digest(m);
      expect(await code(() => mlock(m.mem, t, base - P, 2 * P))).toBe('ENOMEM');
      expect(await code(() => munlock(m.mem, t, base + 2 * P, P))).toBe('ENOMEM');
      expect(digest(m)).toBe(before);
      expect(await code(() => mlock(m.mem, t, base, 4 * P))).toBe('ENOMEM');
      expect(t.mm!.vmas.lookup(base)!.flags & VM.locked).toBe(VM.locked);
      expect(t.mm!.vmas.lookup(base + 3 * P)!.flags & VM.locked).toBe(0);
      expect(t.mm!.rss).toBe(0);
      checkMapcounts(m);
    });

    it('Linux argument rules: an unaligned address is widened to whole pages; overflow is EINVAL; a failed populate is ENOMEM', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 3 * P, prot: RW, flags: ANON }));
      await v(mlock(m.mem, t, a + P + 100, P)); // covers pages 1 and 2
      expect(t.mm!.rss).toBe(2);
      expect(t.mm!.vmas.lookup(a + P)!.start).toBe(a + P);
      const before = digest(m);
      expect(await code(() => mlock(m.mem, t, a, 2 ** 53))).toBe('EINVAL');
      expect(await code(() => mlock(m.mem, t, a, -1))).toBe('EINVAL');
      expect(await code(() => mlock(m.mem, t, a, 0))).toBe('ok');
      expect(digest(m)).toBe(before);
      await v(mlock(m.mem, t, a + 1, 0)); // Linux: PAGE_ALIGN(0 + offset_in_page) is one page
      expect(t.mm!.rss).toBe(3);
      expect(t.mm!.vmas.size).toBe(1);
      const file = m.mem.createFile('short', 100);
      const f = await v(m.mem.mmap(t, { length: 2 * P, prot: PROT.read, flags: MAP.shared, file }));
      expect(await code(() => mlock(m.mem, t, f, 2 * P))).toBe('ENOMEM'); // page 1 is beyond EOF: SIGBUS while populating
      expect(t.mm!.mmapLock.readerCount).toBe(0);
      expect(t.mm!.vmas.lookup(f)!.flags & VM.locked).toBe(VM.locked);
      checkMapcounts(m);
    });
  });
}

describe('fork running out of memory (v6, pinned page)', () => {
  it('ENOMEM: the half-built child is torn down, the parent keeps working', async () => {
    const { m, t } = setup('v6', 4); // zero page + 3 frames
    const a = await v(m.mem.mmap(t, { length: 3 * P, prot: RW, flags: ANON }));
    for (let i = 0; i < 3; i++) await v(m.mem.write(t, a + i * P, i + 1));
    const [pinned] = await underMmapRead(t, () => getUserPages(m.mem, t, t.mm!, a + 2 * P, 1, { pin: true, write: true }));
    expect(await code(() => fork(m.mem, t, 'child'))).toBe('ENOMEM');
    expect(m.mem.processes).toHaveLength(1);
    expect(t.mm!.mmapLock.writeLocked).toBe(false);
    expect(t.describeHeld()).toEqual([]);
    for (let i = 0; i < 3; i++) expect(await v(m.mem.read(t, a + i * P))).toBe(i + 1);
    checkMapcounts(m);
    await v(m.mem.write(t, a, 9)); // the write-protected entry is reused
    expect(await v(m.mem.read(t, a))).toBe(9);
    await v(unpinUserPage(m.mem, t, pinned!));
  });
});

describe('notifier call sites (recording port)', () => {
  for (const era of ERAS) {
    const rcu = era === 'v2.6.27' ? 1 : 0;
    const blockable = era !== 'v2.6.27';
    const rcuHeld = era === 'v2.6.27' ? ['rcu_read_lock (rcu, read)'] : [];

    it(`mprotect: one PROTECTION_VMA range under mmap_lock (${era})`, async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const port = new RecordingPort();
      t.mm!.secondary = port;
      await v(mprotect(m.mem, t, a, 2 * P, PROT.read));
      // A downgrade may wait for the end: v6 flushes secondary TLBs after the range (tlb_finish_mmu).
      expect(port.ops()).toEqual(era === 'v6' ? ['start', 'end', 'secondary_tlbs'] : ['start', 'end']);
      const [start, end] = [port.calls[0]!, port.calls[1]!];
      for (const c of [start, end]) {
        expect(c).toMatchObject({ mm: t.mm!.id, start: a, end: a + 2 * P, event: 'protection-vma', blockable, rcuDepth: rcu, preemptCount: 0, nonBlockDepth: 0 });
        expect(c.held).toEqual(['mmap_lock (rwsem)', ...rcuHeld]);
      }
      if (era === 'v6') {
        expect(port.calls[2]).toMatchObject({ start: a, end: a + 2 * P, preemptCount: 0 });
        expect(port.calls[2]!.held).toEqual(['mmap_lock (rwsem)']);
      }
      port.clear();
      await v(mprotect(m.mem, t, a, 2 * P, PROT.read)); // no change: no call
      expect(port.ops()).toEqual([]);
      expect(m.report.violations).toEqual([]);
    });

    it(`fork: a PROTECTION_PAGE range on the parent mm (${era})`, async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const port = new RecordingPort();
      t.mm!.secondary = port;
      const child = await v(fork(m.mem, t, 'child'));
      expect(child.mm!.secondary).toBeNull();
      // v6: the parent's TLBs are flushed once after the copy (flush_tlb_mm(oldmm)), after the range.
      expect(port.ops()).toEqual(era === 'v6' ? ['start', 'end', 'secondary_tlbs'] : ['start', 'end']);
      for (const c of port.calls) expect(c.mm).toBe(t.mm!.id);
      const start = port.calls[0]!;
      expect(start).toMatchObject({ start: a, end: a + 2 * P, event: 'protection-page', blockable, rcuDepth: rcu, preemptCount: 0 });
      // The parent's mmap_lock, then the child's nested one (mmap_write_lock_nested).
      expect(start.held).toEqual(['mmap_lock (rwsem)', 'mmap_lock/1 (rwsem)', ...rcuHeld]);
      if (era === 'v6') expect(port.calls[2]!.held).toEqual(['mmap_lock (rwsem)', 'mmap_lock/1 (rwsem)']);
      expect(m.report.violations).toEqual([]);
    });

    it(`madvise DONTNEED: a CLEAR range under mmap_lock for reading (${era})`, async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      const port = new RecordingPort();
      t.mm!.secondary = port;
      await v(madvise(m.mem, t, a, 2 * P, 'dontneed'));
      expect(port.ops()).toEqual(era === 'v6' ? ['start', 'secondary_tlbs', 'end'] : ['start', 'end']);
      const start = port.calls[0]!;
      expect(start).toMatchObject({ mm: t.mm!.id, start: a, end: a + 2 * P, event: 'clear', blockable, rcuDepth: rcu, preemptCount: 0 });
      expect(start.held).toEqual(['mmap_lock (rwsem, read)', ...rcuHeld]);
      expect(m.report.violations).toEqual([]);
    });
  }
});

describe('under a random schedule (the Promise paths)', () => {
  for (const era of ERAS) {
    it(`fork, mprotect, madvise and mlock race with writers and stay consistent (${era})`, async () => {
      for (let seed = 1; seed <= 12; seed++) {
        const m = new Machine({ era, seed, schedule: { strategy: 'random' }, memory: { frames: 128 } });
        const proc = m.mem.createProcess('app');
        const setupTask = proc.task('setup');
        const a = await v(m.mem.mmap(setupTask, { length: 8 * P, prot: RW, flags: ANON }));
        for (let i = 0; i < 8; i++) await v(m.mem.write(setupTask, a + i * P, i));
        const port = new RecordingPort();
        proc.mm!.secondary = port;
        const last: number[] = [0, 1, 2, 3];
        proc.spawn('writer', async (t) => {
          for (let round = 1; round <= 6; round++) {
            for (let i = 0; i < 4; i++) {
              await v(m.mem.write(t, a + i * P, round * 10 + i));
              last[i] = round * 10 + i;
              expect(await v(m.mem.read(t, a + i * P))).toBe(last[i]);
            }
          }
        });
        proc.spawn('admin', async (t) => {
          const child = await v(fork(m.mem, t, 'child'));
          child.spawn('child', async (c) => {
            for (let i = 4; i < 8; i++) expect(await v(m.mem.read(c, a + i * P))).toBe(i);
            await v(m.mem.write(c, a, 999));
            expect(await v(m.mem.read(c, a))).toBe(999);
          });
          await v(mprotect(m.mem, t, a + 4 * P, 2 * P, PROT.read));
          await v(madvise(m.mem, t, a + 7 * P, P, 'dontneed'));
          await v(mlock(m.mem, t, a + 4 * P, 3 * P));
          await v(mprotect(m.mem, t, a + 4 * P, 2 * P, RW));
          await v(munlock(m.mem, t, a, 8 * P));
        });
        const r = await m.sched.run();
        expect(r.violations, `seed ${seed}`).toEqual([]);
        expect(r.ok).toBe(true);
        for (let i = 0; i < 4; i++) expect(await v(m.mem.read(setupTask, a + i * P))).toBe(last[i]);
        expect(await v(m.mem.read(setupTask, a + 7 * P))).toBe(0);
        expect(await v(m.mem.read(setupTask, a + 5 * P))).toBe(5);
        expect(proc.mm!.vmas.size).toBe(1);
        checkMapcounts(m);
        expect(port.calls.every((c) => c.mm === proc.mm!.id)).toBe(true);
      }
    });
  }
});

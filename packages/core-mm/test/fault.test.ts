import { describe, expect, it } from 'vitest';
import { ERAS, MAP, PG, PROT, PTE } from '../src/index.js';
import { ANON, code, P, pteOf, RW, setup, v } from './support/mm-helpers.js';

for (const era of ERAS) {
  describe(`faults (${era})`, () => {
    it('anonymous read maps the zero page (v6) or a zeroed page (2008); a write gets a private page', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      expect(a).toBeGreaterThan(2 ** 32);
      const free = m.mem.allocator.freeCount;
      expect(await v(m.mem.read(t, a))).toBe(0);
      if (era === 'v6') {
        expect(pteOf(t, a).pfn).toBe(m.mem.allocator.zeroPfn);
        expect(pteOf(t, a).bits & PTE.write).toBe(0);
        expect(m.mem.allocator.freeCount).toBe(free); // no frame for a read
      } else {
        // 2.6.24-2.6.31 had no ZERO_PAGE in do_anonymous_page: the read allocates, dirty and writable.
        expect(pteOf(t, a).bits & (PTE.write | PTE.dirty)).toBe(PTE.write | PTE.dirty);
        expect(m.mem.allocator.freeCount).toBe(free - 1);
      }
      await v(m.mem.write(t, a, 0xabc));
      const { pfn, bits } = pteOf(t, a);
      expect(pfn).not.toBe(m.mem.allocator.zeroPfn);
      expect(bits & (PTE.write | PTE.dirty | PTE.young)).toBe(PTE.write | PTE.dirty | PTE.young);
      expect(m.mem.frames.flags[pfn]! & PG.anon).toBe(PG.anon);
      expect(m.mem.frames.mapcount[pfn]).toBe(1);
      expect(await v(m.mem.read(t, a))).toBe(0xabc);
      expect(await v(m.mem.read(t, a + P))).toBe(0);
      expect(t.mm!.rss).toBe(era === 'v6' ? 1 : 2); // the zero page is never counted
    });

    it('a write fault on a fresh page maps it writable at once', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a + 123, 7)); // any address in the page names its one word
      expect(await v(m.mem.read(t, a))).toBe(7);
    });

    it('file read fault maps the page cache read-only; a private write copies it (COW)', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('data', 2 * P);
      file.backing.set(0, 11);
      file.backing.set(1, 22);
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.private, file }));
      expect(await v(m.mem.read(t, a))).toBe(11);
      const cached = file.pageCache.get(0)!;
      expect(pteOf(t, a).pfn).toBe(cached);
      expect(m.mem.frames.refcount[cached]).toBe(2); // page cache + mapping
      await v(m.mem.write(t, a, 99));
      const copy = pteOf(t, a).pfn;
      expect(copy).not.toBe(cached);
      expect(m.mem.frames.flags[copy]! & PG.anon).toBe(PG.anon);
      expect(m.mem.frames.content[cached]).toBe(11); // the file is untouched
      expect(m.mem.frames.refcount[cached]).toBe(1);
      expect(await v(m.mem.read(t, a))).toBe(99);
      // A private write to a page never read: do_cow_fault.
      await v(m.mem.write(t, a + P, 5));
      expect(await v(m.mem.read(t, a + P))).toBe(5);
      expect(m.mem.frames.content[file.pageCache.get(1)!]).toBe(22);
    });

    it('a shared file mapping writes through the page cache: mkwrite dirties the page', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('shared', P);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared, file }));
      expect(await v(m.mem.read(t, a))).toBe(0);
      expect(pteOf(t, a).bits & PTE.write).toBe(0);
      await v(m.mem.write(t, a, 0x5eed));
      const pfn = file.pageCache.get(0)!;
      expect(pteOf(t, a).pfn).toBe(pfn);
      expect(m.mem.frames.content[pfn]).toBe(0x5eed);
      expect(m.mem.frames.flags[pfn]! & PG.dirty).toBe(PG.dirty);
      // A second process sees it through its own mapping.
      const t2 = m.mem.createProcess('other').task('cpu1');
      const b = await v(m.mem.mmap(t2, { length: P, prot: PROT.read, flags: MAP.shared, file }));
      expect(await v(m.mem.read(t2, b))).toBe(0x5eed);
    });

    it('SIGSEGV for no mapping, a write to a read-only mapping, and non-user addresses; SIGBUS beyond EOF', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: ANON }));
      expect(await code(() => m.mem.write(t, a, 1))).toBe('SIGSEGV');
      expect(await code(() => m.mem.read(t, a + P))).toBe('SIGSEGV');
      expect(await code(() => m.mem.read(t, 2 ** 47))).toBe('SIGSEGV');
      expect(await code(() => m.mem.read(t, -1))).toBe('SIGSEGV');
      const file = m.mem.createFile('short', 100);
      const f = await v(m.mem.mmap(t, { length: 2 * P, prot: PROT.read, flags: MAP.shared, file }));
      expect(await v(m.mem.read(t, f))).toBe(0);
      expect(await code(() => m.mem.read(t, f + P))).toBe('SIGBUS');
      expect(m.report.violations).toEqual([]);
    });

    it('addresses far above 2^32 fault and read back (MAP_FIXED near the top of user space)', async () => {
      const { m, t } = setup(era);
      const high = 2 ** 46 + 2 ** 33 + 5 * P;
      expect(await v(m.mem.mmap(t, { addr: high, length: 3 * P, prot: RW, flags: ANON | MAP.fixed }))).toBe(high);
      const top = 2 ** 47 - 3 * P;
      expect(await v(m.mem.mmap(t, { addr: top, length: 2 * P, prot: RW, flags: ANON | MAP.fixed }))).toBe(top);
      await v(m.mem.write(t, high + 2 * P, 1));
      await v(m.mem.write(t, top + P, 2));
      expect(await v(m.mem.read(t, high + 2 * P))).toBe(1);
      expect(await v(m.mem.read(t, top + P))).toBe(2);
      expect(await v(m.mem.read(t, high))).toBe(0);
    });

    it('running out of frames is ENOMEM for the faulting task; the machine stays consistent', async () => {
      const { m, t } = setup(era, 4); // zero page + 3 frames
      const a = await v(m.mem.mmap(t, { length: 8 * P, prot: RW, flags: ANON }));
      for (let i = 0; i < 3; i++) await v(m.mem.write(t, a + i * P, i + 1));
      expect(await code(() => m.mem.write(t, a + 3 * P, 9))).toBe('ENOMEM');
      expect(t.mm!.mmapLock.readerCount).toBe(0);
      expect(t.describeHeld()).toEqual([]);
      expect(await v(m.mem.read(t, a + 2 * P))).toBe(3);
      await v(m.mem.munmap(t, a, P));
      await v(m.mem.write(t, a + 3 * P, 9));
      expect(await v(m.mem.read(t, a + 3 * P))).toBe(9);
    });
  });
}

describe('mmap and munmap', () => {
  it('MAP_FIXED replaces, MAP_FIXED_NOREPLACE refuses with EEXIST and changes nothing', async () => {
    const { m, t } = setup('v6');
    const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a + P, 3));
    expect(await code(() => m.mem.mmap(t, { addr: a + P, length: P, prot: RW, flags: ANON | MAP.fixedNoReplace }))).toBe('EEXIST');
    expect(await v(m.mem.read(t, a + P))).toBe(3);
    expect(await v(m.mem.mmap(t, { addr: a + P, length: P, prot: RW, flags: ANON | MAP.fixed }))).toBe(a + P);
    expect(await v(m.mem.read(t, a + P))).toBe(0);
  });

  it('bad arguments are rejected with Linux codes before anything changes', async () => {
    const { m, t } = setup('v6');
    const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
    const vmas = t.mm!.vmas.all().map(String);
    const cases: [() => unknown, string][] = [
      [() => m.mem.mmap(t, { length: 0, prot: RW, flags: ANON }), 'EINVAL'],
      [() => m.mem.mmap(t, { length: P, prot: RW, flags: MAP.anonymous }), 'EINVAL'],
      [() => m.mem.mmap(t, { length: P, prot: RW, flags: ANON | MAP.shared }), 'EINVAL'],
      [() => m.mem.mmap(t, { length: P, prot: -1, flags: ANON }), 'EINVAL'],
      [() => m.mem.mmap(t, { length: 2 ** 53, prot: RW, flags: ANON }), 'EINVAL'],
      [() => m.mem.mmap(t, { length: 2 ** 48, prot: RW, flags: ANON }), 'ENOMEM'],
      [() => m.mem.mmap(t, { addr: a + 1, length: P, prot: RW, flags: ANON | MAP.fixed }), 'EINVAL'],
      [() => m.mem.mmap(t, { addr: 2 ** 47 - P, length: 2 * P, prot: RW, flags: ANON | MAP.fixed }), 'ENOMEM'],
      [() => m.mem.munmap(t, a + 1, P), 'EINVAL'],
      [() => m.mem.munmap(t, a, 0), 'EINVAL'],
      [() => m.mem.munmap(t, a, 2 ** 53), 'EINVAL'],
      [() => m.mem.write(t, a, -1), 'EINVAL'],
      [() => m.mem.write(t, a, 2 ** 32), 'EINVAL'],
    ];
    for (const [call, expected] of cases) expect(await code(call)).toBe(expected);
    expect(t.mm!.vmas.all().map(String)).toEqual(vmas);
    expect(m.report.violations).toEqual([]);
  });

  it('munmap of a hole succeeds; partial munmap keeps the rest with its content', async () => {
    const { m, t } = setup('v6');
    const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: ANON }));
    for (let i = 0; i < 4; i++) await v(m.mem.write(t, a + i * P, 100 + i));
    const free = m.mem.allocator.freeCount;
    await v(m.mem.munmap(t, a + P, 2 * P));
    expect(m.mem.allocator.freeCount).toBe(free + 2);
    expect(await v(m.mem.read(t, a))).toBe(100);
    expect(await v(m.mem.read(t, a + 3 * P))).toBe(103);
    expect(await code(() => m.mem.read(t, a + P))).toBe('SIGSEGV');
    expect(t.mm!.vmas.size).toBe(2);
    await v(m.mem.munmap(t, a + P, 2 * P)); // a hole now
    // Mapping the hole again merges the three vmas back into one.
    await v(m.mem.mmap(t, { addr: a + P, length: 2 * P, prot: RW, flags: ANON | MAP.fixed }));
    expect(t.mm!.vmas.size).toBe(1);
    expect(await v(m.mem.read(t, a + 3 * P))).toBe(103);
  });

  it('exit frees every private page and drops page-cache mappings', async () => {
    const { m, t } = setup('v6');
    const free = m.mem.allocator.freeCount;
    const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: ANON }));
    for (let i = 0; i < 4; i++) await v(m.mem.write(t, a + i * P, i));
    const file = m.mem.createFile('f', P);
    const f = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
    await v(m.mem.read(t, f));
    await v(m.mem.exit(t));
    expect(m.mem.allocator.freeCount).toBe(free - 1); // the page-cache page stays cached
    expect(m.mem.frames.mapcount[file.pageCache.get(0)!]).toBe(0);
    expect(await code(() => m.mem.read(t, a))).toBe('EINVAL');
  });
});

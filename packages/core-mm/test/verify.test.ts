import { describe, expect, it } from 'vitest';
import { describePte, ERAS, Machine, MAP, PG, PROT, PTE, type Era, type Task } from '../src/index.js';
import { setPte } from '../src/mm/pte-ops.js';
import { stateDigest, verify } from '../src/mm/verify.js';
import { ANON, code, P, RW, setup, v } from './support/mm-helpers.js';

function entry(t: Task, address: number): { table: NonNullable<ReturnType<NonNullable<Task['mm']>['pageTable']['lookup']>>; i: number; pfn: number; bits: number } {
  const vpn = Math.floor(address / P);
  const table = t.mm!.pageTable.lookup(vpn);
  if (table === undefined) throw new Error(`no PTE table at 0x${address.toString(16)}`);
  const i = vpn % 512;
  return { table, i, pfn: table.word[i]!, bits: table.bits[i]! };
}

function messages(m: Machine): string[] {
  return verify(m, { record: false }).map((x) => x.message);
}

/** verify is quiet, and nothing else was reported either. */
function quiet(m: Machine): void {
  expect(messages(m)).toEqual([]);
  expect(m.report.violations).toEqual([]);
}

/** Where {@link anonPage} maps: above 2^32, in the middle of a PTE table. */
const BASE = 2 ** 33 + 64 * P;

/** Mapped, written anonymous pages at {@link BASE}: the address and the first pfn. */
async function anonPage(m: Machine, t: Task, pages = 1): Promise<{ a: number; pfn: number }> {
  const a = await v(m.mem.mmap(t, { addr: BASE, length: pages * P, prot: RW, flags: ANON | MAP.fixedNoReplace }));
  for (let k = 0; k < pages; k++) await v(m.mem.write(t, a + k * P, 0x100 + k));
  return { a, pfn: entry(t, a).pfn };
}

for (const era of ERAS) {
  describe(`verify is quiet after ordinary sequences (${era})`, () => {
    it('anonymous mmap, writes, zero-page reads, partial munmap, exit', async () => {
      const { m, t } = setup(era);
      quiet(m);
      const a = await v(m.mem.mmap(t, { length: 16 * P, prot: RW, flags: ANON }));
      expect(a).toBeGreaterThan(2 ** 32);
      for (let k = 0; k < 16; k += 2) await v(m.mem.write(t, a + k * P, k + 1));
      for (let k = 1; k < 16; k += 2) expect(await v(m.mem.read(t, a + k * P))).toBe(0); // zero page
      quiet(m);
      await v(m.mem.write(t, a + P, 77)); // zero page -> private page (COW of the zero page)
      expect(await v(m.mem.read(t, a + P))).toBe(77);
      quiet(m);
      await v(m.mem.munmap(t, a + 4 * P, 4 * P)); // a hole in the middle splits the vma
      expect(t.mm!.vmas.size).toBe(2);
      quiet(m);
      expect(await v(m.mem.read(t, a + 2 * P))).toBe(3);
      expect(await v(m.mem.read(t, a + 10 * P))).toBe(11);
      const low = await v(m.mem.mmap(t, { addr: 0x10000, length: 2 * P, prot: RW, flags: ANON | MAP.fixed }));
      await v(m.mem.write(t, low, 5));
      quiet(m);
      const free = m.mem.allocator.freeCount;
      await v(m.mem.exit(t));
      expect(m.mem.allocator.freeCount).toBeGreaterThan(free);
      quiet(m);
    });

    it('file mappings: shared writes seen through the file, private COW, exit of both processes', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('data', 4 * P);
      file.backing.set(0, 10);
      file.backing.set(1, 11);
      const shared = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: MAP.shared, file }));
      const other = m.mem.createProcess('peer').task('cpu1');
      const priv = await v(m.mem.mmap(other, { length: 4 * P, prot: RW, flags: MAP.private, file }));
      expect(await v(m.mem.read(other, priv))).toBe(10);
      quiet(m);
      await v(m.mem.write(t, shared, 99)); // the page cache page, mapped by both
      expect(await v(m.mem.read(other, priv))).toBe(99);
      await v(m.mem.write(other, priv + P, 55)); // private COW of page 1
      expect(await v(m.mem.read(t, shared + P))).toBe(11);
      await v(m.mem.write(t, shared + 2 * P, 12)); // shared write fault on a fresh page
      quiet(m);
      const cached = file.pageCache.get(0)!;
      expect(m.mem.frames.mapcount[cached]).toBe(2);
      await v(m.mem.munmap(t, shared, P));
      quiet(m);
      await v(m.mem.exit(t));
      quiet(m);
      await v(m.mem.exit(other));
      quiet(m);
      expect(file.pageCache.size).toBeGreaterThan(0); // the cache outlives the mappings
    });

    it('a shared anonymous mapping (shmem-like) and MAP_FIXED replacing populated pages', async () => {
      const { m, t } = setup(era);
      const s = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.shared | MAP.anonymous }));
      await v(m.mem.write(t, s, 1));
      expect(await v(m.mem.read(t, s + P))).toBe(0);
      const { a } = await anonPage(m, t, 4);
      quiet(m);
      await v(m.mem.mmap(t, { addr: a + P, length: 2 * P, prot: PROT.read, flags: ANON | MAP.fixed }));
      expect(await v(m.mem.read(t, a + P))).toBe(0);
      expect(await v(m.mem.read(t, a + 3 * P))).toBe(0x103);
      quiet(m);
    });

    it('fork and COW, mprotect round trips, file I/O that grows and shrinks a mapped file, exits', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('data', 2 * P);
      const { a } = await anonPage(m, t, 3);
      const shared = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: MAP.shared, file }));
      const priv = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: MAP.private, file }));
      await v(m.mem.write(t, shared, 1));
      expect(await v(m.mem.read(t, priv + P))).toBe(0);
      await v(m.mem.write(t, priv, 2)); // private COW of page 0
      quiet(m);
      const child = (await v(m.mem.fork(t, 'child'))).task('c0');
      quiet(m); // parent and child share the anonymous pages read-only
      await v(m.mem.write(child, a, 7)); // the child copies
      await v(m.mem.write(t, a + P, 8)); // the parent copies (the child still maps it)
      await v(m.mem.write(child, a + P, 9)); // now mapped once: reused in place
      await v(m.mem.write(child, priv, 3)); // COW of the parent's private copy
      quiet(m);
      await v(m.mem.mprotect(t, a, 3 * P, PROT.read));
      quiet(m);
      await v(m.mem.mprotect(t, a, 3 * P, PROT.none));
      quiet(m);
      await v(m.mem.mprotect(t, a, 3 * P, RW));
      await v(m.mem.write(t, a + 2 * P, 10));
      expect(await v(m.mem.read(t, a))).toBe(0x100);
      quiet(m);
      await v(m.mem.pwrite(t, file, 3 * P, [33])); // extends i_size to 4 pages
      expect(file.pages).toBe(4);
      expect(await v(m.mem.read(child, shared + 3 * P))).toBe(33);
      quiet(m);
      await v(m.mem.punchHole(t, file, P, P));
      quiet(m);
      await v(m.mem.ftruncate(t, file, P + 1)); // two pages left
      expect(file.pages).toBe(2);
      quiet(m);
      await v(m.mem.exit(child));
      quiet(m);
      await v(m.mem.write(t, a, 11)); // the parent's page is its own again
      await v(m.mem.exit(t));
      quiet(m);
    });
  });

  describe(`verify fires on corrupted state (${era})`, () => {
    it('mapcount off by one', async () => {
      const { m, t } = setup(era);
      const { pfn } = await anonPage(m, t);
      m.mem.frames.mapcount[pfn]!++;
      expect(messages(m)).toEqual([`pfn ${pfn} has mapcount 2 but 1 PTE(s) map it`, `pfn ${pfn} has refcount 1, below mapcount 2 + pincount 0 + page cache 0 = 2`]);
    });

    it('a freed frame still mapped (use-after-free)', async () => {
      const { m, t } = setup(era);
      const { a, pfn } = await anonPage(m, t);
      m.mem.frames.flags[pfn] = PG.free; // freed behind the PTE's back
      m.mem.frames.refcount[pfn] = 0;
      const found = messages(m);
      expect(found.some((s) => s.startsWith(`freed frame still mapped (use-after-free): pfn ${pfn} `) && s.includes(`maps it at 0x${a.toString(16)}`))).toBe(true);
      expect(found).toContain(`free pfn ${pfn} has refcount 0, mapcount 1, pincount 0 (all must be 0)`);
      expect(found.some((s) => s.includes('flagged free but the allocator'))).toBe(true);
    });

    it('a PTE outside its VMA', async () => {
      const { m, t } = setup(era);
      const { a } = await anonPage(m, t);
      const { table, i } = entry(t, a);
      expect(t.mm!.vmas.lookup(a + P)).toBeUndefined();
      // A zero-page entry one page past the vma, as if a zap had missed it.
      setPte(m.mem, t.mm!, table, i + 1, m.mem.allocator.zeroPfn, PTE.present | PTE.user | PTE.special, 'fault');
      const found = messages(m);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(new RegExp(`^PTE outside its VMA: mm ${t.mm!.id} has an entry at 0x${(a + P).toString(16)} `));
    });

    it('a PTE written straight into the table outside any vma (and its used count)', async () => {
      const { m, t } = setup(era);
      const { a, pfn } = await anonPage(m, t);
      const { table, i } = entry(t, a);
      table.word[i + 2] = pfn;
      table.bits[i + 2] = PTE.present | PTE.user | PTE.write;
      const found = messages(m);
      expect(found.some((s) => s.startsWith('PTE outside its VMA') && s.includes(`0x${(a + 2 * P).toString(16)}`))).toBe(true);
      expect(found).toContain(`mm ${t.mm!.id}: PTE table at 0x${(table.base * P).toString(16)} has 2 non-none entries but its used count is 1`);
      expect(found).toContain(`pfn ${pfn} has mapcount 1 but 2 PTE(s) map it`);
      expect(found).toContain(`mm ${t.mm!.id}: rss is 1 but 2 present non-special PTEs map frames`);
      table.used++;
      expect(messages(m).some((s) => s.includes('used count'))).toBe(false);
    });

    it('rss off by one', async () => {
      const { m, t } = setup(era);
      await anonPage(m, t, 3);
      t.mm!.rss++;
      expect(messages(m)).toEqual([`mm ${t.mm!.id}: rss is 4 but 3 present non-special PTEs map frames`]);
    });

    it('refcount below mapcount + page cache', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', P);
      const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
      await v(m.mem.read(t, a));
      const pfn = file.pageCache.get(0)!;
      expect(m.mem.frames.refcount[pfn]).toBe(2);
      m.mem.frames.refcount[pfn] = 1;
      expect(messages(m)).toEqual([`pfn ${pfn} has refcount 1, below mapcount 1 + pincount 0 + page cache 1 = 2`]);
    });

    it('refcount 0 on a mapped anonymous frame that is not free', async () => {
      const { m, t } = setup(era);
      const { pfn } = await anonPage(m, t);
      m.mem.frames.refcount[pfn] = 0;
      expect(messages(m)).toEqual([`pfn ${pfn} has refcount 0, below mapcount 1 + pincount 0 + page cache 0 = 1 (and it is not free)`]);
    });

    it('a mapping the rmap walk cannot find (wrong page index)', async () => {
      const { m, t } = setup(era);
      const { a, pfn } = await anonPage(m, t, 2);
      m.mem.frames.index[pfn] = m.mem.frames.index[pfn]! + 1; // now it claims the next page
      const found = messages(m);
      expect(found.some((s) => s.startsWith(`rmap walk misses a mapping: pfn ${pfn} `) && s.includes(`at 0x${a.toString(16)} in mm ${t.mm!.id}`))).toBe(true);
    });

    it('a file vma missing from i_mmap is not found by rmap', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', P);
      const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.private, file }));
      await v(m.mem.read(t, a));
      const vma = t.mm!.vmas.lookup(a)!;
      file.iMmap.remove(vma.iMmapNode!);
      vma.iMmapNode = null;
      const found = messages(m);
      expect(found.some((s) => s.includes('is not linked into its i_mmap'))).toBe(true);
      expect(found.some((s) => s.startsWith(`rmap walk misses a mapping: pfn ${file.pageCache.get(0)} (file`))).toBe(true);
    });

    it('a freed frame left in the page cache', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', P);
      const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
      await v(m.mem.read(t, a));
      await v(m.mem.munmap(t, a, P));
      const pfn = file.pageCache.get(0)!;
      m.mem.frames.flags[pfn] = PG.free;
      m.mem.frames.refcount[pfn] = 0;
      expect(messages(m)).toContain(`freed frame still in the page cache: page 0 of f (inode ${file.id}) is pfn ${pfn}, which is free`);
    });

    it('a free frame on the LRU, and an unaligned or overlapping vma', async () => {
      const { m, t } = setup(era);
      const { a } = await anonPage(m, t, 2);
      const freePfn = m.mem.frames.count - 1;
      expect(m.mem.frames.flags[freePfn]! & PG.free).toBe(PG.free);
      m.mem.frames.lruNext[freePfn] = 3;
      const vma = t.mm!.vmas.lookup(a)!;
      vma.end = a + P + 12;
      const found = messages(m);
      expect(found).toContain(`free pfn ${freePfn} is still on the LRU (prev -1, next 3, PG_lru 0)`);
      expect(found).toContain(`mm ${t.mm!.id}: vma 0x${a.toString(16)}-0x${(a + P + 12).toString(16)} is not page aligned`);
    });
    it('a writable PTE of a private file mapping on the page-cache page (COW breach)', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', P);
      const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.private, file }));
      await v(m.mem.read(t, a));
      const { table, i, pfn } = entry(t, a);
      expect(pfn).toBe(file.pageCache.get(0));
      quiet(m);
      table.bits[i] = table.bits[i]! | PTE.write; // as if the read fault had mapped it writable
      const vma = t.mm!.vmas.lookup(a)!;
      expect(messages(m)).toEqual([
        `COW breach: mm ${t.mm!.id} maps pfn ${pfn} writable at 0x${a.toString(16)} in the private vma ${vma.toString()}, but the frame is not anonymous (mapping ${file.id}, index 0, mapcount 1): a write through it would reach the file's page and every other mapping of it`,
      ]);
    });

    it('an anonymous page shared with a forked child, writable again in the parent (COW breach)', async () => {
      const { m, t } = setup(era);
      const { a, pfn } = await anonPage(m, t);
      const child = (await v(m.mem.fork(t, 'child'))).task('c0');
      expect(entry(child, a).pfn).toBe(pfn);
      const { table, i } = entry(t, a);
      expect(table.bits[i]! & PTE.write).toBe(0); // fork write-protected it
      quiet(m);
      table.bits[i] = table.bits[i]! | PTE.write; // as if fork had forgotten ptep_set_wrprotect
      expect(messages(m)).toEqual([
        `COW breach: mm ${t.mm!.id} maps anonymous pfn ${pfn} writable at 0x${a.toString(16)} in the private vma ${t.mm!.vmas.lookup(a)!.toString()}, but 2 PTE(s) map the frame (1 of them writable; mapcount 2): a write through it would be seen by the other mappings`,
      ]);
    });

    it('a writable zero-page entry', async () => {
      const { m, t } = setup(era);
      const a = await v(m.mem.mmap(t, { addr: BASE, length: 2 * P, prot: RW, flags: ANON | MAP.fixedNoReplace }));
      await v(m.mem.write(t, a, 1)); // page 0 present; page 1, in the same PTE table, still none
      const { table, i } = entry(t, a);
      const zero = m.mem.allocator.zeroPfn;
      // On page 1 a zero-page entry, as v6's read fault maps it (the 2008 eras allocate a page instead), but with the write bit.
      setPte(m.mem, t.mm!, table, i + 1, zero, PTE.present | PTE.user | PTE.special | PTE.write, 'fault');
      expect(messages(m)).toEqual([
        `writable zero page: mm ${t.mm!.id} has a special PTE at 0x${(a + P).toString(16)} (pfn ${zero}, ${describePte(table.bits[i + 1]!)}) with the write bit: a write would change the page every zero-page mapping reads`,
      ]);
    });

    it('a writable PTE in a read-only vma, a user PTE in a PROT_NONE vma', async () => {
      const { m, t } = setup(era);
      const { a, pfn } = await anonPage(m, t, 2);
      await v(m.mem.mprotect(t, a, P, PROT.read));
      await v(m.mem.mprotect(t, a + P, P, PROT.none));
      quiet(m);
      const ro = t.mm!.vmas.lookup(a)!;
      const none = t.mm!.vmas.lookup(a + P)!;
      const e0 = entry(t, a);
      const e1 = entry(t, a + P);
      e0.table.bits[e0.i] = e0.bits | PTE.write; // mprotect forgot to write-protect
      e1.table.bits[e1.i] = e1.bits | PTE.user; // mprotect forgot to take the user bit
      expect(messages(m)).toEqual([
        `PTE more permissive than its vma: mm ${t.mm!.id} maps pfn ${pfn} writable at 0x${a.toString(16)} (${describePte(e0.table.bits[e0.i]!)}) but the vma ${ro.toString()} (flags 0x${ro.flags.toString(16)}) has no VM_WRITE`,
        `PTE more permissive than its vma: mm ${t.mm!.id} maps pfn ${e1.pfn} user-accessible at 0x${(a + P).toString(16)} (${describePte(e1.table.bits[e1.i]!)}) but the vma ${none.toString()} (flags 0x${none.flags.toString(16)}) is PROT_NONE (none of VM_READ, VM_WRITE, VM_EXEC)`,
      ]);
    });

    it('a page-cache page beyond i_size', async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', 0);
      await v(m.mem.pwrite(t, file, 0, [1, 2, 3])); // pwrite extends i_size
      expect(file.size).toBe(3 * P);
      file.size = 2 * P + 1; // still covers page 2
      quiet(m);
      file.size = P + 100; // as if truncate had set i_size but left page 2 in the cache
      const pfn = file.pageCache.get(2);
      expect(messages(m)).toEqual([`page cache beyond i_size: page 2 of f (inode ${file.id}) is cached in pfn ${pfn}, but i_size is ${P + 100} bytes (2 page(s)), so the last index is 1`]);
    });

    it("a dead mm's vma left in i_mmap, and a detached vma left there", async () => {
      const { m, t } = setup(era);
      const file = m.mem.createFile('f', 2 * P);
      const peer = m.mem.createProcess('peer').task('p0');
      const mm = peer.mm!;
      const a = await v(m.mem.mmap(peer, { length: P, prot: PROT.read, flags: MAP.shared, file }));
      const gone = mm.vmas.lookup(a)!;
      await v(m.mem.exit(peer));
      expect(mm.dead).toBe(true);
      quiet(m);
      gone.iMmapNode = file.iMmap.insert(gone.pgoff, gone.lastPgoff, gone); // as if exit_mmap had skipped unlink_file_vma
      const dead = `i_mmap of f (inode ${file.id}) holds vma ${gone.toString()} of mm ${mm.id}`;
      expect(messages(m)).toEqual([`${dead}, which was torn down (mm dead): a reverse-map walk would reach a dead address space`]);
      mm.dead = false; // an mm no process owns, not yet torn down
      expect(messages(m)).toEqual([`${dead}, which no live process owns: a reverse-map walk would reach a dead address space`]);
      file.iMmap.remove(gone.iMmapNode);
      quiet(m);
      const b = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file, offset: P }));
      const unmapped = t.mm!.vmas.lookup(b)!;
      await v(m.mem.munmap(t, b, P));
      quiet(m);
      file.iMmap.insert(unmapped.pgoff, unmapped.lastPgoff, unmapped); // as if munmap had skipped unlink_file_vma
      expect(messages(m)).toEqual([`i_mmap of f (inode ${file.id}) holds vma ${unmapped.toString()} of mm ${t.mm!.id}, but that vma is not in mm ${t.mm!.id}'s vma tree (detached and left linked)`]);
    });

    it("an exited child's vma left in its parent's anon_vma tree", async () => {
      const { m, t } = setup(era);
      const { a } = await anonPage(m, t);
      const child = (await v(m.mem.fork(t, 'child'))).task('c0');
      const childMm = child.mm!;
      const childVma = childMm.vmas.lookup(a)!;
      const anonVma = t.mm!.vmas.lookup(a)!.anonVma!;
      expect(anonVma.tree.values()).toContain(childVma);
      await v(m.mem.exit(child));
      expect(anonVma.tree.values()).not.toContain(childVma);
      quiet(m);
      anonVma.tree.insert(childVma.pgoff, childVma.lastPgoff, childVma); // as if unlink_anon_vmas had missed it
      expect(messages(m)).toEqual([
        `anon_vma ${anonVma.id}'s tree holds vma ${childVma.toString()} of mm ${childMm.id}, which was torn down (mm dead): a reverse-map walk would reach a dead address space`,
      ]);
    });
  });
}

describe('verify: reporting', () => {
  it('records each finding as an invariant violation unless record is false', async () => {
    const { m, t } = setup('v6');
    const { pfn } = await anonPage(m, t);
    m.mem.frames.mapcount[pfn]!--;
    expect(verify(m, { record: false })).toHaveLength(1);
    expect(m.report.violations).toEqual([]);
    const found = verify(m);
    expect(found).toHaveLength(1);
    expect(m.report.of('invariant')).toEqual(found);
    expect(found[0]!.details?.[0]).toMatch(new RegExp(`^pfn ${pfn}: flags [a-zA-Z|]*anon\\|swapbacked[a-zA-Z|]*, refcount 1, mapcount 0`));
    expect(found[0]!.details?.some((d) => d.includes('alloc'))).toBe(true);
    expect(found[0]!.site).toContain('verify.test.ts');
  });

  it('never throws, even on a strict machine', async () => {
    const m = new Machine({ strict: true, memory: { frames: 64 } });
    const t = m.mem.createProcess('app').task('cpu0');
    await anonPage(m, t);
    t.mm!.rss = 7;
    expect(verify(m)).toHaveLength(1);
    expect(m.report.of('invariant')).toHaveLength(1);
  });

  it('caps a flood of findings at the limit with one closing summary', async () => {
    const { m, t } = setup('v6');
    await anonPage(m, t, 20);
    for (let pfn = 1; pfn < m.mem.frames.count; pfn++) if ((m.mem.frames.flags[pfn]! & PG.anon) !== 0) m.mem.frames.mapcount[pfn]! += 5;
    const found = verify(m, { record: false, limit: 5 });
    expect(found).toHaveLength(6); // 20 pages x (mapcount, refcount below mapcount)
    expect(found[5]!.message).toBe('verify: 35 more invariant violation(s) not listed (limit 5)');
  });
});

describe('stateDigest', () => {
  async function history(era: Era): Promise<{ m: Machine; t: Task; a: number }> {
    const { m, t } = setup(era);
    const file = m.mem.createFile('f', 2 * P);
    const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 1));
    await v(m.mem.read(t, a + P));
    const s = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.shared, file }));
    await v(m.mem.write(t, s + P, 9));
    return { m, t, a };
  }

  it('is equal for identical histories and differs after a write', async () => {
    for (const era of ERAS) {
      const x = await history(era);
      const y = await history(era);
      expect(stateDigest(x.m)).toBe(stateDigest(y.m));
      expect(stateDigest(x.m)).toMatch(/^[0-9a-f]{16}$/);
      await v(y.m.mem.write(y.t, y.a, 2));
      expect(stateDigest(x.m)).not.toBe(stateDigest(y.m));
    }
    const a = await history('v6');
    const b = await history('v2.6.27');
    expect(stateDigest(a.m)).not.toBe(stateDigest(b.m));
  });

  it('a rejected call leaves the machine unchanged', async () => {
    const { m, t, a } = await history('v6');
    const before = stateDigest(m);
    expect(await code(() => m.mem.munmap(t, a + 1, P))).toBe('EINVAL');
    expect(await code(() => m.mem.mmap(t, { addr: a, length: P, prot: RW, flags: ANON | MAP.fixedNoReplace }))).toBe('EEXIST');
    expect(await code(() => m.mem.mprotect(t, a, P, 8))).toBe('EINVAL'); // unknown prot bits: mprotect validates them (mmap ignores them, as Linux does)
    expect(await code(() => m.mem.write(t, 0x1000, 1))).toBe('SIGSEGV');
    expect(stateDigest(m)).toBe(before);
    quiet(m);
  });

  it('sees a change in a page-table bit, a vma and a frame count', async () => {
    const { m, t, a } = await history('v6');
    const d0 = stateDigest(m);
    const { table, i } = entry(t, a);
    table.bits[i] = table.bits[i]! & ~PTE.young;
    const d1 = stateDigest(m);
    expect(d1).not.toBe(d0);
    t.mm!.vmas.lookup(a)!.flags |= 0x4;
    const d2 = stateDigest(m);
    expect(d2).not.toBe(d1);
    m.mem.frames.refcount[entry(t, a).pfn]!++;
    expect(stateDigest(m)).not.toBe(d2);
  });
});

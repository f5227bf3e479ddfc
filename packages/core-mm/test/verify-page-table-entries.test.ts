/**
 * verify's PTE pass (`print_bad_pte()`, `check_mm()`, page_table_check), one planted
 * entry at a time, with the exact findings and which of them carry the frame's
 * history as details; each corruption undone, verify is quiet again. Also the quiet
 * side of its bounds: an entry on the first page after a PROT_NONE vma belongs to
 * the next vma, a migration entry is no swap entry, the last frame is inside memory.
 */
import { describe, expect, it } from 'vitest';
import { describePte, MAP, PG, PROT, PTE, verify, type Machine, type Task } from '../src/index.js';
import { ANON, P, RW, setup, v } from './support/mm-helpers.js';

const hex = (n: number): string => `0x${n.toString(16)}`;
const BASE = 2 ** 33;
const USER = PTE.present | PTE.user;

function messages(m: Machine, limit?: number): string[] {
  return verify(m, { record: false, ...(limit === undefined ? {} : { limit }) }).map((x) => x.message);
}

/** The PTE table covering `a` and the entry's index in it. */
function entry(t: Task, a: number): { table: NonNullable<ReturnType<NonNullable<Task['mm']>['pageTable']['lookup']>>; i: number } {
  const vpn = Math.floor(a / P);
  return { table: t.mm!.pageTable.lookup(vpn)!, i: vpn % 512 };
}

/** An anonymous RW vma of `pages` at BASE, its first page written: the task, the frame. */
async function written(pages = 2): Promise<{ m: Machine; t: Task; pfn: number }> {
  const { m, t } = setup('v6', 64);
  await v(m.mem.mmap(t, { addr: BASE, length: pages * P, prot: RW, flags: ANON | MAP.fixedNoReplace }));
  await v(m.mem.write(t, BASE, 1));
  const { table, i } = entry(t, BASE);
  expect(messages(m)).toEqual([]);
  return { m, t, pfn: table.word[i]! };
}

/** Write an entry straight into the table (the used count kept right), and a way to take it out again. */
function plant(t: Task, a: number, word: number, bits: number): () => void {
  const { table, i } = entry(t, a);
  const [w, b, used] = [table.word[i]!, table.bits[i]!, table.used];
  [table.word[i], table.bits[i]] = [word, bits];
  table.used = used + (b === 0 ? 1 : 0);
  return () => {
    [table.word[i], table.bits[i], table.used] = [w, b, used];
  };
}

describe('verify: which vma an entry is in', () => {
  it('the first page after a PROT_NONE vma is in the next vma', async () => {
    const { m, t } = setup('v6', 64);
    await v(m.mem.mmap(t, { addr: BASE, length: P, prot: PROT.none, flags: ANON | MAP.fixedNoReplace }));
    await v(m.mem.mmap(t, { addr: BASE + P, length: P, prot: RW, flags: ANON | MAP.fixedNoReplace }));
    await v(m.mem.write(t, BASE + P, 1));
    expect(messages(m)).toEqual([]);
  });

  it('an entry outside every vma: a present one carries its frame, a swap one does not', async () => {
    const { m, t, pfn } = await written(1);
    const undo = plant(t, BASE + P, pfn, USER);
    let found = verify(m, { record: false });
    expect(found[0]!.message).toBe(`PTE outside its VMA: mm ${t.mm!.id} has an entry at ${hex(BASE + P)} (word ${pfn}, ${describePte(USER)}) but no vma covers that address`);
    expect(found[0]!.details?.[0]).toMatch(new RegExp(`^pfn ${pfn}: `));
    undo();
    const undoSwap = plant(t, BASE + P, pfn, PTE.swap);
    found = verify(m, { record: false });
    expect(found.map((x) => x.message)).toEqual([
      `PTE outside its VMA: mm ${t.mm!.id} has an entry at ${hex(BASE + P)} (word ${pfn}, ${describePte(PTE.swap)}) but no vma covers that address`,
      `mm ${t.mm!.id}: swap entry at ${hex(BASE + P)} names swap slot ${pfn}, but the machine has no swap device`,
    ]);
    expect(found[0]!.details).toBeUndefined();
    undoSwap();
    expect(messages(m)).toEqual([]);
  });

  it('a migration entry is not checked as a swap entry', async () => {
    const { m, t, pfn } = await written();
    const undo = plant(t, BASE + P, pfn, PTE.migration);
    expect(messages(m)).toEqual([]);
    undo();
  });
});

describe('verify: what a present entry names', () => {
  it('a frame past the end of memory (the last frame is inside)', async () => {
    const { m, t } = await written();
    const count = m.mem.frames.count;
    const undo = plant(t, BASE + P, count, USER);
    const found = verify(m, { record: false });
    expect(found.map((x) => x.message)).toEqual([`mm ${t.mm!.id}: PTE at ${hex(BASE + P)} maps pfn ${count}, beyond the ${count} frames of memory`]);
    expect(found[0]!.details).toBeUndefined();
    undo();
    const undoOutside = plant(t, BASE + 2 * P, count, USER); // outside the vma too: still no frame to describe
    const outside = verify(m, { record: false });
    expect(outside.map((x) => x.message)).toEqual([
      `PTE outside its VMA: mm ${t.mm!.id} has an entry at ${hex(BASE + 2 * P)} (word ${count}, ${describePte(USER)}) but no vma covers that address`,
      `mm ${t.mm!.id}: PTE at ${hex(BASE + 2 * P)} maps pfn ${count}, beyond the ${count} frames of memory`,
    ]);
    expect(outside.map((x) => x.details)).toEqual([undefined, undefined]);
    undoOutside();
    expect(m.mem.frames.flags[count - 1]! & PG.free).toBe(PG.free);
    const undoLast = plant(t, BASE + P, count - 1, USER);
    expect(messages(m)).toContain(`freed frame still mapped (use-after-free): pfn ${count - 1} (generation ${m.mem.frames.generation[count - 1]}) is free but mm ${t.mm!.id} maps it at ${hex(BASE + P)}`);
    undoLast();
    expect(messages(m)).toEqual([]);
  });

  it('a special entry that is not the zero page', async () => {
    const { m, t, pfn } = await written();
    const undo = plant(t, BASE + P, pfn, USER | PTE.special);
    const found = verify(m, { record: false });
    expect(found.map((x) => x.message)).toEqual([`mm ${t.mm!.id}: special PTE at ${hex(BASE + P)} maps pfn ${pfn}, not the zero page (pfn ${m.mem.allocator.zeroPfn})`]);
    expect(found[0]!.details?.[0]).toMatch(new RegExp(`^pfn ${pfn}: `));
    undo();
    expect(messages(m)).toEqual([]);
  });

  it('a writable zero-page entry in a read-only vma: its permission finding names no frame', async () => {
    const { m, t } = setup('v6', 64);
    await v(m.mem.mmap(t, { addr: BASE, length: 2 * P, prot: PROT.read, flags: ANON | MAP.fixedNoReplace }));
    expect(await v(m.mem.read(t, BASE))).toBe(0);
    const { table, i } = entry(t, BASE);
    const zero = m.mem.allocator.zeroPfn;
    expect([table.word[i], table.bits[i]! & PTE.special]).toEqual([zero, PTE.special]);
    const bits = table.bits[i]!;
    table.bits[i] = bits | PTE.write;
    const vma = t.mm!.vmas.lookup(BASE)!;
    const found = verify(m, { record: false });
    expect(found.map((x) => x.message)).toEqual([
      `PTE more permissive than its vma: mm ${t.mm!.id} maps pfn ${zero} writable at ${hex(BASE)} (${describePte(bits | PTE.write)}) but the vma ${vma.toString()} (flags ${hex(vma.flags)}) has no VM_WRITE`,
      `writable zero page: mm ${t.mm!.id} has a special PTE at ${hex(BASE)} (pfn ${zero}, ${describePte(bits | PTE.write)}) with the write bit: a write would change the page every zero-page mapping reads`,
    ]);
    expect(found.map((x) => x.details)).toEqual([undefined, undefined]);
    table.bits[i] = bits;
    expect(messages(m)).toEqual([]);
  });

  it('a present entry in a read-only vma carries its frame', async () => {
    const { m, t, pfn } = await written();
    await v(m.mem.mprotect(t, BASE, 2 * P, PROT.read));
    const { table, i } = entry(t, BASE);
    const bits = table.bits[i]!;
    table.bits[i] = bits | PTE.write;
    const found = verify(m, { record: false });
    expect(found).toHaveLength(1);
    expect(found[0]!.details?.[0]).toMatch(new RegExp(`^pfn ${pfn}: `));
    table.bits[i] = bits;
    expect(messages(m)).toEqual([]);
  });

  it('a freed frame still mapped, every finding about it', async () => {
    const { m, t, pfn } = await written();
    const f = m.mem.frames;
    const [flags, free] = [f.flags[pfn]!, m.mem.allocator.freeCount];
    f.flags[pfn] = PG.free;
    f.refcount[pfn] = 0;
    const uaf = [
      `freed frame still mapped (use-after-free): pfn ${pfn} (generation ${f.generation[pfn]}) is free but mm ${t.mm!.id} maps it at ${hex(BASE)}`,
      `free pfn ${pfn} has refcount 0, mapcount 1, pincount 0 (all must be 0)`,
      `${free + 1} frames are flagged free but the allocator's free list holds ${free}`,
    ];
    expect(messages(m)).toEqual(uaf);
    const mapping = f.mapping[pfn]!;
    f.mapping[pfn] = 0; // freed for real: no owner left, and no rmap walk of a free frame
    expect(messages(m)).toEqual(uaf);
    f.mapping[pfn] = mapping;
    f.flags[pfn] = flags;
    f.refcount[pfn] = 1;
    expect(messages(m)).toEqual([]);
  });

  it("a table's used count off by one", async () => {
    const { m, t } = await written();
    const { table } = entry(t, BASE);
    table.used++;
    expect(messages(m)).toEqual([`mm ${t.mm!.id}: PTE table at ${hex(table.base * P)} has 1 non-none entries but its used count is 2`]);
    table.used--;
    expect(messages(m)).toEqual([]);
  });
});

describe('verify: COW breaches counted from the PTE pass', () => {
  it('a private file page made writable while another vma maps it too', async () => {
    const { m, t } = setup('v6', 64);
    const file = m.mem.createFile('f', P);
    const shared = await v(m.mem.mmap(t, { length: P, prot: PROT.read, flags: MAP.shared, file }));
    const priv = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.private, file }));
    await v(m.mem.read(t, shared));
    await v(m.mem.read(t, priv));
    const pfn = file.pageCache.get(0)!;
    expect(m.mem.frames.mapcount[pfn]).toBe(2);
    const { table, i } = entry(t, priv);
    const bits = table.bits[i]!;
    table.bits[i] = bits | PTE.write;
    expect(messages(m)).toEqual([
      `COW breach: mm ${t.mm!.id} maps pfn ${pfn} writable at ${hex(priv)} in the private vma ${t.mm!.vmas.lookup(priv)!.toString()}, but the frame is not anonymous (mapping ${file.id}, index 0, mapcount 2): a write through it would reach the file's page and every other mapping of it`,
    ]);
    table.bits[i] = bits;
    expect(messages(m)).toEqual([]);
  });

  it('a breached anonymous frame is named only at its writable entries of private vmas', async () => {
    const { m, t, pfn } = await written(1);
    const child = (await v(m.mem.fork(t, 'child'))).task('c0');
    const own = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, own, 3)); // writable and mapped once: no breach
    const s = await v(m.mem.mmap(t, { length: P, prot: RW, flags: MAP.shared | MAP.anonymous }));
    await v(m.mem.write(t, s, 2)); // its own page, whose entry is then pointed at the breached frame
    const { table, i } = entry(t, BASE);
    table.bits[i] = table.bits[i]! | PTE.write;
    const undoShared = plant(t, s, pfn, USER | PTE.write);
    const undoOutside = plant(t, BASE + P, pfn, USER | PTE.write);
    const cow = messages(m).filter((x) => x.startsWith('COW breach'));
    expect(cow).toEqual([
      `COW breach: mm ${t.mm!.id} maps anonymous pfn ${pfn} writable at ${hex(BASE)} in the private vma ${t.mm!.vmas.lookup(BASE)!.toString()}, but 4 PTE(s) map the frame (1 of them writable; mapcount 2): a write through it would be seen by the other mappings`,
    ]);
    undoOutside();
    undoShared();
    table.bits[i] = table.bits[i] & ~PTE.write;
    await v(m.mem.exit(child));
    expect(messages(m)).toEqual([]);
  });

  it('255 or more writable entries of one frame: the count saturates, the breach is still seen', async () => {
    const { m, t, pfn } = await written(256);
    const { table, i } = entry(t, BASE);
    const bits = table.bits[i]!;
    expect(bits & PTE.write).toBe(PTE.write);
    for (let k = 1; k < 256; k++) plant(t, BASE + k * P, pfn, bits);
    const cow = messages(m, 10_000).filter((x) => x.startsWith('COW breach'));
    expect(cow).toHaveLength(256);
    const vma = t.mm!.vmas.lookup(BASE)!.toString();
    expect(cow[1]).toBe(
      `COW breach: mm ${t.mm!.id} maps anonymous pfn ${pfn} writable at ${hex(BASE + P)} in the private vma ${vma}, but 256 PTE(s) map the frame (255 or more of them writable; mapcount 1): a write through it would be seen by the other mappings`,
    );
    for (let k = 1; k < 256; k++) [table.word[i + k], table.bits[i + k]] = [0, 0];
    table.used = 1;
    expect(messages(m)).toEqual([]);
  });
});

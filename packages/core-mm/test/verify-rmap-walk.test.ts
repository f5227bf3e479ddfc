/**
 * verify's reverse-map checks (`rmap_walk()` against the page tables), each
 * disagreement planted alone and reported exactly, then undone: a mapped frame with
 * no owner, a walk reaching an mm no process owns, a vma yielded twice, a mapping the
 * walk misses (inside a vma or outside every vma), a walk hit no page table counts,
 * and an anon_vma reachable only from its frames that holds a dead vma.
 */
import { describe, expect, it } from 'vitest';
import { MAP, PG, PTE, verify, type Machine, type Task } from '../src/index.js';
import { allocDriverPage } from '../src/mm/gup.js';
import { ANON, P, RW, setup, v } from './support/mm-helpers.js';

const hex = (n: number): string => `0x${n.toString(16)}`;
const BASE = 2 ** 33;

function messages(m: Machine): string[] {
  return verify(m, { record: false }).map((x) => x.message);
}

/** The PTE table covering `a` and the entry's index in it. */
function entry(t: Task, a: number): { table: NonNullable<ReturnType<NonNullable<Task['mm']>['pageTable']['lookup']>>; i: number } {
  const vpn = Math.floor(a / P);
  return { table: t.mm!.pageTable.lookup(vpn)!, i: vpn % 512 };
}

/** One written anonymous page at BASE, shared with a forked child: both tasks and the frame. */
async function forked(): Promise<{ m: Machine; t: Task; child: Task; pfn: number }> {
  const { m, t } = setup('v6', 64);
  await v(m.mem.mmap(t, { addr: BASE, length: P, prot: RW, flags: ANON | MAP.fixedNoReplace }));
  await v(m.mem.write(t, BASE, 1));
  const child = (await v(m.mem.fork(t, 'child'))).task('c0');
  const { table, i } = entry(t, BASE);
  expect(messages(m)).toEqual([]);
  return { m, t, child, pfn: table.word[i]! };
}

describe('verify: the rmap walk of each mapped frame', () => {
  it('a mapped frame that names no owner', async () => {
    const { m, pfn } = await forked();
    const f = m.mem.frames;
    const id = f.mapping[pfn]!;
    f.mapping[pfn] = 0;
    expect(messages(m)).toEqual([`rmap cannot find pfn ${pfn}: 2 PTE(s) map it but it has no anon_vma or inode (mapping 0)`]);
    f.mapping[pfn] = id;
    expect(messages(m)).toEqual([]);
  });

  it('a walk that reaches an mm no live process owns', async () => {
    const { m, t, child, pfn } = await forked();
    const process = m.mem.processes.find((p) => p.mm === child.mm)!;
    const mm = child.mm!;
    const vma = mm.vmas.lookup(BASE)!;
    const anonVma = t.mm!.vmas.lookup(BASE)!.anonVma!;
    process.mm = null;
    expect(messages(m)).toEqual([
      `pfn ${pfn} has mapcount 2 but 1 PTE(s) map it`,
      `rmap walk of pfn ${pfn} finds it mapped at ${hex(BASE)} in mm ${mm.id}, which no live process owns`,
      `anon_vma ${anonVma.id}'s tree holds vma ${vma.toString()} of mm ${mm.id}, which no live process owns: a reverse-map walk would reach a dead address space`,
    ]);
    process.mm = mm;
    expect(messages(m)).toEqual([]);
  });

  it('a vma linked twice into the anon_vma tree is yielded twice', async () => {
    const { m, t, pfn } = await forked();
    const vma = t.mm!.vmas.lookup(BASE)!;
    const tree = vma.anonVma!.tree;
    const node = tree.insert(vma.pgoff, vma.lastPgoff, vma);
    expect(messages(m)).toEqual([`rmap walk of pfn ${pfn} yields mm ${t.mm!.id} ${hex(BASE)} twice`]);
    tree.remove(node);
    expect(messages(m)).toEqual([]);
  });

  it('a mapping the walk misses, inside a vma and outside every vma', async () => {
    const { m, t, child, pfn } = await forked();
    const f = m.mem.frames;
    const index = f.index[pfn]!;
    const missed = (at: number, mm: number, vma: string): string =>
      `rmap walk misses a mapping: pfn ${pfn} (anon, index ${f.index[pfn]}, mapping ${f.mapping[pfn]}) is mapped at ${hex(at)} in mm ${mm}${vma} but rmap does not find it there`;
    f.index[pfn] = index + 1; // the walk looks one page further on
    const vma = ` (vma ${t.mm!.vmas.lookup(BASE)!.toString()})`;
    expect(messages(m)).toEqual([missed(BASE, t.mm!.id, vma), missed(BASE, child.mm!.id, vma)]);
    f.index[pfn] = index;
    const { table, i } = entry(t, BASE);
    [table.word[i + 1], table.bits[i + 1]] = [pfn, PTE.present | PTE.user];
    table.used++;
    expect(messages(m)).toEqual([
      `PTE outside its VMA: mm ${t.mm!.id} has an entry at ${hex(BASE + P)} (word ${pfn}, present|user) but no vma covers that address`,
      `mm ${t.mm!.id}: rss is 1 but 2 present non-special PTEs map frames`,
      `pfn ${pfn} has mapcount 2 but 3 PTE(s) map it`,
      missed(BASE + P, t.mm!.id, ''),
    ]);
    [table.word[i + 1], table.bits[i + 1]] = [0, 0];
    table.used--;
    expect(messages(m)).toEqual([]);
  });

  it('a walk hit that no page table counts (a special entry the walk does not tell apart)', async () => {
    const { m, child, pfn } = await forked();
    const { table, i } = entry(child, BASE);
    const bits = table.bits[i]!;
    table.bits[i] = bits | PTE.special;
    const mm = child.mm!;
    expect(messages(m)).toEqual([
      `mm ${mm.id}: special PTE at ${hex(BASE)} maps pfn ${pfn}, not the zero page (pfn ${m.mem.allocator.zeroPfn})`,
      `mm ${mm.id}: rss is 1 but 0 present non-special PTEs map frames`,
      `pfn ${pfn} has mapcount 2 but 1 PTE(s) map it`,
      `rmap walk of pfn ${pfn} finds it mapped at ${hex(BASE)} in mm ${mm.id}, but no walked page table maps it there`,
    ]);
    table.bits[i] = bits;
    expect(messages(m)).toEqual([]);
  });
});

describe('verify: the reverse-map trees', () => {
  it("an anon_vma reachable only from a frame it owns still has its tree checked", async () => {
    const { m, t, child } = await forked();
    const mm = child.mm!;
    const vma = mm.vmas.lookup(BASE)!;
    const own = vma.anonVma!;
    expect(own).not.toBe(t.mm!.vmas.lookup(BASE)!.anonVma); // v6: the child has its own
    await v(m.mem.exit(child));
    const page = await v(allocDriverPage(m.mem, t, 'kernel'));
    const f = m.mem.frames;
    const flags = f.flags[page]!;
    [f.flags[page], f.mapping[page]] = [flags | PG.anon, own.id];
    expect(messages(m)).toEqual([]); // an anonymous page of an anon_vma whose tree is empty
    const node = own.tree.insert(vma.pgoff, vma.lastPgoff, vma); // as if exit had left it linked
    expect(messages(m)).toEqual([`anon_vma ${own.id}'s tree holds vma ${vma.toString()} of mm ${mm.id}, which was torn down (mm dead): a reverse-map walk would reach a dead address space`]);
    own.tree.remove(node);
    [f.flags[page], f.mapping[page]] = [flags, 0];
    expect(messages(m)).toEqual([]);
  });
});

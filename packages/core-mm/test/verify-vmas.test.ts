/**
 * verify's vma checks (`validate_mm()`), each bound pinned from both sides: the
 * corruption that breaks it is reported with the exact message, and the value just
 * inside the bound is quiet. The vmas are corrupted in place (the tree keeps its
 * order), on pages never touched, so no page-table or rmap check fires with them.
 */
import { describe, expect, it } from 'vitest';
import { MAP, PROT, TASK_SIZE, verify, type Machine, type Mm, type Vma } from '../src/index.js';
import { ANON, P, RW, setup, v } from './support/mm-helpers.js';

const hex = (n: number): string => `0x${n.toString(16)}`;
const BASE = 2 ** 33;

function messages(m: Machine): string[] {
  return verify(m, { record: false }).map((x) => x.message);
}

/** `n` adjacent single-page anonymous vmas at BASE, kept apart by alternating protections. */
async function vmas(n = 3): Promise<{ m: Machine; mm: Mm; list: Vma[] }> {
  const { m, t } = setup('v6', 64);
  for (let k = 0; k < n; k++) {
    await v(m.mem.mmap(t, { addr: BASE + k * P, length: P, prot: k % 2 === 0 ? RW : PROT.read, flags: ANON | MAP.fixedNoReplace }));
  }
  const mm = t.mm!;
  const list = mm.vmas.all();
  expect(list).toHaveLength(n);
  expect(messages(m)).toEqual([]);
  return { m, mm, list };
}

/** The prefix every vma finding starts with. */
const at = (mm: Mm, vma: Vma): string => `mm ${mm.id}: vma ${hex(vma.start)}-${hex(vma.end)}`;

describe('verify: vma bounds', () => {
  it('an unaligned start alone, then an unaligned end alone', async () => {
    const { m, mm, list } = await vmas(1);
    const vma = list[0]!;
    vma.start = BASE + 8;
    expect(messages(m)).toEqual([`${at(mm, vma)} is not page aligned`]);
    vma.start = BASE;
    vma.end = BASE + P + 8;
    expect(messages(m)).toEqual([`${at(mm, vma)} is not page aligned`]);
    vma.end = BASE + P;
    expect(messages(m)).toEqual([]);
  });

  it('an empty vma, and an inverted one', async () => {
    const { m, mm, list } = await vmas(1);
    const vma = list[0]!;
    vma.end = BASE;
    expect(messages(m)).toEqual([`${at(mm, vma)} is empty or inverted (start >= end)`]);
    vma.end = BASE - P;
    expect(messages(m)).toEqual([`${at(mm, vma)} is empty or inverted (start >= end)`]);
    vma.end = BASE + P;
    expect(messages(m)).toEqual([]);
  });

  it('outside user space below 0 or above TASK_SIZE; ending at TASK_SIZE or starting at 0 is inside', async () => {
    const { m, mm, list } = await vmas(1);
    const vma = list[0]!;
    vma.start = -P;
    expect(messages(m)).toEqual([
      `${at(mm, vma)} is outside user space (0-${hex(TASK_SIZE)})`,
      `${at(mm, vma)} overlaps or precedes the previous vma, which ends at 0x0 (vmas must be sorted and disjoint)`,
    ]);
    vma.start = 0;
    expect(messages(m)).toEqual([]);
    vma.start = TASK_SIZE - P;
    vma.end = TASK_SIZE + P;
    expect(messages(m)).toEqual([`${at(mm, vma)} is outside user space (0-${hex(TASK_SIZE)})`]);
    vma.end = TASK_SIZE;
    expect(messages(m)).toEqual([]);
    [vma.start, vma.end] = [BASE, BASE + P];
  });
});

describe('verify: vma order', () => {
  it('a vma starting inside the previous one overlaps it; one starting at its end does not', async () => {
    const { m, mm, list } = await vmas(2);
    const [first, second] = list as [Vma, Vma];
    first.end = BASE + 2 * P; // up to the second's end
    expect(messages(m)).toEqual([`${at(mm, second)} overlaps or precedes the previous vma, which ends at ${hex(BASE + 2 * P)} (vmas must be sorted and disjoint)`]);
    first.end = BASE + P;
    expect(messages(m)).toEqual([]);
  });

  it('the end to beat is the furthest end so far, not the last vma’s', async () => {
    const { m, mm, list } = await vmas(3);
    const [first, second, third] = list as [Vma, Vma, Vma];
    first.end = BASE + 3 * P; // covers the other two
    expect(messages(m)).toEqual([
      `${at(mm, second)} overlaps or precedes the previous vma, which ends at ${hex(BASE + 3 * P)} (vmas must be sorted and disjoint)`,
      `${at(mm, third)} overlaps or precedes the previous vma, which ends at ${hex(BASE + 3 * P)} (vmas must be sorted and disjoint)`,
    ]);
    first.end = BASE + P;
    expect(messages(m)).toEqual([]);
  });
});

describe('verify: vma links', () => {
  it("a vma in one mm's tree that names another mm", async () => {
    const { m, mm, list } = await vmas(1);
    const other = m.mem.createProcess('other').mm!;
    const vma = list[0]! as { mm: Mm } & Vma;
    vma.mm = other;
    expect(messages(m)).toEqual([`${at(mm, vma)} is in mm ${mm.id}'s tree but belongs to mm ${other.id}`]);
    vma.mm = mm;
    expect(messages(m)).toEqual([]);
  });

  it("a file vma missing from its file's i_mmap; an anonymous vma is never in one", async () => {
    const { m, t } = setup('v6', 64);
    const file = m.mem.createFile('f', P);
    const a = await v(m.mem.mmap(t, { addr: BASE, length: P, prot: PROT.read, flags: MAP.shared | MAP.fixedNoReplace, file }));
    await v(m.mem.mmap(t, { addr: BASE + P, length: P, prot: RW, flags: ANON | MAP.fixedNoReplace }));
    expect(messages(m)).toEqual([]);
    const vma = t.mm!.vmas.lookup(a)!;
    file.iMmap.remove(vma.iMmapNode!);
    vma.iMmapNode = null;
    expect(messages(m)).toEqual([`${at(t.mm!, vma)} maps f but is not linked into its i_mmap`]);
    vma.iMmapNode = file.iMmap.insert(vma.pgoff, vma.lastPgoff, vma);
    expect(messages(m)).toEqual([]);
  });

  it('an anon_vma whose chain is unlinked, or which only a chain of another anon_vma names', async () => {
    const { m, t } = setup('v6', 64);
    const a = await v(m.mem.mmap(t, { addr: BASE, length: P, prot: RW, flags: ANON | MAP.fixedNoReplace }));
    await v(m.mem.write(t, a, 1));
    const child = (await v(m.mem.fork(t, 'child'))).task('c0');
    const vma = child.mm!.vmas.lookup(a)!;
    const own = vma.chains.find((c) => c.anonVma === vma.anonVma)!;
    expect(vma.chains.filter((c) => c.node !== null)).toHaveLength(2); // its own anon_vma and its parent's
    expect(messages(m)).toEqual([]);
    const node = own.node;
    own.node = null;
    const finding = `${at(child.mm!, vma)} has anon_vma ${vma.anonVma!.id} but no anon_vma_chain links it there`;
    expect(messages(m)).toEqual([finding]);
    own.node = node;
    vma.chains.splice(vma.chains.indexOf(own), 1);
    expect(messages(m)).toEqual([finding]);
    vma.chains.push(own);
    expect(messages(m)).toEqual([]);
  });
});

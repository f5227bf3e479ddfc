/**
 * stateDigest sees every field it documents: each one changed alone changes the
 * digest, and put back, the digest is the first one again — so "a rejected call leaves
 * the machine unchanged" cannot pass over a change in any of them. The order a file's
 * cache and backing store were filled in is no part of the state.
 */
import { describe, expect, it } from 'vitest';
import { configureSwap, MAP, PTE, shrinkPage, swapOf, type Machine, type Task, type Vma } from '../src/index.js';
import { stateDigest } from '../src/mm/verify.js';
import { ANON, P, pteOf, RW, setup, v } from './support/mm-helpers.js';

/** A machine with anonymous memory (one page swapped out), a shared file mapping, a cache and a backing store. */
async function machine(): Promise<{ m: Machine; t: Task; a: number }> {
  const { m, t } = setup('v6', 64);
  configureSwap(m.mem, 8);
  const file = m.mem.createFile('f', 3 * P);
  file.backing.set(2, 5);
  file.backing.set(0, 4);
  const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
  await v(m.mem.write(t, a, 1));
  await v(m.mem.write(t, a + P, 2));
  const pfn = pteOf(t, a + P).pfn;
  for (let i = 0; i < 3 && pteOf(t, a + P).bits !== PTE.swap; i++) await v(shrinkPage(m.mem, m.task('kswapd'), pfn));
  expect(pteOf(t, a + P).bits).toBe(PTE.swap);
  const s = await v(m.mem.mmap(t, { length: 3 * P, prot: RW, flags: MAP.shared, file }));
  await v(m.mem.write(t, s + 2 * P, 9));
  await v(m.mem.read(t, s));
  return { m, t, a };
}

/** Change one field, expect a new digest, put it back, expect the first one. */
function sees(m: Machine, change: () => () => void): void {
  const before = stateDigest(m);
  const undo = change();
  expect(stateDigest(m)).not.toBe(before);
  undo();
  expect(stateDigest(m)).toBe(before);
}

/** Set `obj[key]` to `value`; returns the undo. */
function set<T extends object, K extends keyof T>(obj: T, key: K, value: T[K]): () => void {
  const old = obj[key];
  obj[key] = value;
  return () => {
    obj[key] = old;
  };
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

describe('stateDigest: each field', () => {
  it("the era and a process's pid, name and mm", async () => {
    const { m } = await machine();
    const p = m.mem.processes[0]! as Writable<(typeof m.mem.processes)[number]>;
    sees(m, () => set(m.mem as Writable<typeof m.mem>, 'era', 'v2.6.27'));
    sees(m, () => set(p, 'pid', 99));
    sees(m, () => set(p, 'name', 'other'));
    const peer = m.mem.createProcess('peer').mm;
    sees(m, () => set(p, 'mm', peer));
    sees(m, () => set(p, 'mm', null));
  });

  it("an mm's rss, users and dead flag", async () => {
    const { m, t } = await machine();
    const mm = t.mm!;
    sees(m, () => set(mm, 'rss', mm.rss + 1));
    sees(m, () => set(mm, 'users', mm.users + 1));
    sees(m, () => set(mm, 'dead', true));
  });

  it("a vma's range, flags, pgoff, file and anon_vma", async () => {
    const { m, t, a } = await machine();
    const vma = t.mm!.vmas.lookup(a)! as Writable<Vma>;
    const file = m.mem.inodes()[0]!;
    sees(m, () => set(vma, 'start', vma.start - P));
    sees(m, () => set(vma, 'end', vma.end + P));
    sees(m, () => set(vma, 'flags', vma.flags ^ 0x4));
    sees(m, () => set(vma, 'pgoff', vma.pgoff + 1));
    sees(m, () => set(vma, 'file', file));
    sees(m, () => set(vma, 'anonVma', null));
  });

  it("a PTE's word and bits", async () => {
    const { m, t, a } = await machine();
    const vpn = Math.floor(a / P);
    const table = t.mm!.pageTable.lookup(vpn)!;
    const i = vpn % 512;
    sees(m, () => set(table.word, i, table.word[i]! + 1));
    sees(m, () => set(table.bits, i, table.bits[i]! ^ PTE.dirty));
  });

  it("each of a frame's columns", async () => {
    const { m, t, a } = await machine();
    const f = m.mem.frames;
    const pfn = pteOf(t, a).pfn;
    for (const column of [f.flags, f.refcount, f.mapcount, f.pincount, f.mapping, f.index, f.generation, f.content]) {
      sees(m, () => set(column, pfn, column[pfn]! + 1));
    }
  });

  it("a swap slot's count and content", async () => {
    const { m, t, a } = await machine();
    const swap = swapOf(m.mem);
    const slot = pteOf(t, a + P).pfn;
    expect(swap.count[slot]).toBe(1);
    sees(m, () => set(swap.count, slot, 2));
    sees(m, () => set(swap.content, slot, swap.content[slot]! + 1));
  });

  it("a file's name, size, cached pages and backing store; not the order they were filled in", async () => {
    const { m } = await machine();
    const file = m.mem.inodes()[0]! as Writable<ReturnType<typeof m.mem.inodes>[number]>;
    sees(m, () => set(file, 'name', 'g'));
    sees(m, () => set(file, 'size', file.size + 1));
    const pfn = file.pageCache.get(0)!;
    sees(m, () => (file.pageCache.delete(0), () => file.pageCache.set(0, pfn)));
    sees(m, () => (file.backing.set(1, 7), () => file.backing.delete(1)));
    const before = stateDigest(m);
    for (const map of [file.pageCache, file.backing]) {
      const entries = [...map];
      expect(entries.length).toBeGreaterThan(1);
      map.clear();
      for (const [k, x] of entries.reverse()) map.set(k, x);
    }
    expect(stateDigest(m)).toBe(before);
  });

  it('what is not state: the word of a none entry, the content of a free swap slot', async () => {
    const { m, t, a } = await machine();
    const before = stateDigest(m);
    const table = t.mm!.pageTable.lookup(Math.floor(a / P))!;
    const none = table.bits.indexOf(0);
    table.word[none] = 77;
    const swap = swapOf(m.mem);
    const free = (pteOf(t, a + P).pfn + 1) % 8;
    expect(swap.count[free]).toBe(0);
    swap.content[free] = 78;
    expect(stateDigest(m)).toBe(before);
    table.word[none] = 0;
  });

  it('cache and backing entries are told apart entry by entry', async () => {
    const { m } = await machine();
    const file = m.mem.inodes()[0]!;
    const saved = [[...file.pageCache], [...file.backing]] as const;
    const digestWith = (map: Map<number, number>, entries: [number, number][]): string => {
      map.clear();
      for (const [k, x] of entries) map.set(k, x);
      return stateDigest(m);
    };
    for (const map of [file.pageCache, file.backing]) {
      // "1,23" + "4,5" and "1,2" + "34,5" read the same without a separator
      expect(digestWith(map, [[1, 23], [4, 5]])).not.toBe(digestWith(map, [[1, 2], [34, 5]]));
    }
    digestWith(file.pageCache, [...saved[0]]);
    digestWith(file.backing, [...saved[1]]);
  });
});


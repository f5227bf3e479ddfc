/**
 * verify's page-cache checks, each corruption planted in a file's cache map alone (the
 * frames untouched) and reported with the exact findings — this check's and the frame
 * check's view of the same slot — then undone, and verify quiet again: an entry at
 * `i_size`'s last page is inside, one past it outside; an entry naming no frame, a
 * free frame, a frame of another file or of another index; a frame cached twice.
 */
import { describe, expect, it } from 'vitest';
import { PG, verify, type Inode, type Machine } from '../src/index.js';
import { P, setup, v } from './support/mm-helpers.js';

function messages(m: Machine): string[] {
  return verify(m, { record: false }).map((x) => x.message);
}

/** Files `f` and `g` of two pages, each written through pwrite: both pages cached, mapped nowhere. */
async function files(): Promise<{ m: Machine; f: Inode; g: Inode }> {
  const { m, t } = setup('v6', 64);
  const f = m.mem.createFile('f', 0);
  const g = m.mem.createFile('g', 0);
  await v(m.mem.pwrite(t, f, 0, [1, 2]));
  await v(m.mem.pwrite(t, g, 0, [3, 4]));
  expect([f.pageCache.size, g.pageCache.size]).toEqual([2, 2]);
  expect(messages(m)).toEqual([]);
  return { m, f, g };
}

const slot = (file: Inode, index: number): string => `page ${index} of ${file.name} (inode ${file.id})`;

describe('verify: page cache', () => {
  it('a page at the last index of i_size is inside; one past it is beyond, with the frame as details', async () => {
    const { m, f } = await files();
    f.size = P + 1;
    expect(messages(m)).toEqual([]);
    f.size = P;
    const pfn = f.pageCache.get(1)!;
    const found = verify(m, { record: false });
    expect(found.map((x) => x.message)).toEqual([`page cache beyond i_size: ${slot(f, 1)} is cached in pfn ${pfn}, but i_size is ${P} bytes (1 page(s)), so the last index is 0`]);
    expect(found[0]!.details?.[0]).toMatch(new RegExp(`^pfn ${pfn}: `));
    f.size = 2 * P;
    expect(messages(m)).toEqual([]);
  });

  it('an entry naming no frame: reported beyond i_size too, without details, and no other check looks at it', async () => {
    const { m, f } = await files();
    const pfn = f.pageCache.get(1)!;
    const beyond = m.mem.frames.count + 5;
    f.pageCache.set(1, beyond);
    const pageOne = `pfn ${pfn} says it is ${slot(f, 1)}, but that page-cache slot holds pfn ${beyond}`;
    const found = verify(m, { record: false });
    expect(found.map((x) => x.message)).toEqual([`${slot(f, 1)} is cached in pfn ${beyond}, which is not a frame`, pageOne]);
    expect(found[0]!.details).toBeUndefined();
    f.size = P;
    const outside = verify(m, { record: false });
    expect(outside.map((x) => x.message)).toEqual([
      `page cache beyond i_size: ${slot(f, 1)} is cached in pfn ${beyond}, but i_size is ${P} bytes (1 page(s)), so the last index is 0`,
      `${slot(f, 1)} is cached in pfn ${beyond}, which is not a frame`,
      pageOne,
    ]);
    expect(outside[0]!.details).toBeUndefined();
    f.size = 2 * P;
    f.pageCache.set(1, pfn);
    expect(messages(m)).toEqual([]);
  });

  it('an entry naming a free frame', async () => {
    const { m, f } = await files();
    const f0 = m.mem.frames;
    let free = 1;
    while ((f0.flags[free]! & PG.free) === 0) free++;
    const pfn = f.pageCache.get(1)!;
    f.pageCache.set(1, free);
    expect(messages(m)).toEqual([`freed frame still in the page cache: ${slot(f, 1)} is pfn ${free}, which is free`, `pfn ${pfn} says it is ${slot(f, 1)}, but that page-cache slot holds pfn ${free}`]);
    f.pageCache.set(1, pfn);
    expect(messages(m)).toEqual([]);
  });

  it("an entry naming a frame of another file at the same index, or of another index of the same file", async () => {
    const { m, f, g } = await files();
    const [f1, g1] = [f.pageCache.get(1)!, g.pageCache.get(1)!];
    f.pageCache.set(1, g1);
    g.pageCache.set(1, f1);
    expect(f1).toBeLessThan(g1); // frame findings come in pfn order
    expect(messages(m)).toEqual([
      `${slot(f, 1)} is pfn ${g1}, but the frame says it is page 1 of mapping ${g.id}`,
      `${slot(g, 1)} is pfn ${f1}, but the frame says it is page 1 of mapping ${f.id}`,
      `pfn ${f1} says it is ${slot(f, 1)}, but that page-cache slot holds pfn ${g1}`,
      `pfn ${g1} says it is ${slot(g, 1)}, but that page-cache slot holds pfn ${f1}`,
    ]);
    f.pageCache.set(1, f1);
    g.pageCache.set(1, g1);
    const f0 = f.pageCache.get(0)!;
    expect(f0).toBeLessThan(f1);
    f.pageCache.set(0, f1);
    f.pageCache.set(1, f0);
    expect(messages(m)).toEqual([
      `${slot(f, 0)} is pfn ${f1}, but the frame says it is page 1 of mapping ${f.id}`,
      `${slot(f, 1)} is pfn ${f0}, but the frame says it is page 0 of mapping ${f.id}`,
      `pfn ${f0} says it is ${slot(f, 0)}, but that page-cache slot holds pfn ${f1}`,
      `pfn ${f1} says it is ${slot(f, 1)}, but that page-cache slot holds pfn ${f0}`,
    ]);
    f.pageCache.set(0, f0);
    f.pageCache.set(1, f1);
    expect(messages(m)).toEqual([]);
  });

  it('a frame cached twice: its second slot is reported, and its references counted once for the refcount', async () => {
    const { m, f } = await files();
    const [f0, f1] = [f.pageCache.get(0)!, f.pageCache.get(1)!];
    f.pageCache.set(1, f0);
    expect(messages(m)).toEqual([
      `${slot(f, 1)} is pfn ${f0}, but the frame says it is page 0 of mapping ${f.id}`,
      `pfn ${f0} is in the page cache more than once (again as ${slot(f, 1)})`,
      `pfn ${f1} says it is ${slot(f, 1)}, but that page-cache slot holds pfn ${f0}`,
    ]);
    f.pageCache.set(1, f1);
    expect(messages(m)).toEqual([]);
  });
});

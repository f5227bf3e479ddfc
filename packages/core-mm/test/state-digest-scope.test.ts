/**
 * What stateDigest counts as state beyond each field's value (state-digest-fields):
 * the allocator's free count on its own, which process uses which mm when the set of
 * mms stays the same, not an empty PTE table (only non-none entries are state), and
 * line boundaries (a name cannot stand for the line after it).
 */
import { describe, expect, it } from 'vitest';
import { stateDigest } from '../src/mm/verify.js';
import { ANON, P, RW, setup, v } from './support/mm-helpers.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** A machine with one written anonymous page in the process `app`. */
async function machine(): Promise<ReturnType<typeof setup>> {
  const s = setup('v6', 32);
  const a = await v(s.m.mem.mmap(s.t, { length: P, prot: RW, flags: ANON }));
  await v(s.m.mem.write(s.t, a, 1));
  return s;
}

describe('stateDigest: what is state', () => {
  it('the free count, alone', async () => {
    const { m } = await machine();
    const allocator = m.mem.allocator as unknown as { top: number };
    const before = stateDigest(m);
    const free = m.mem.allocator.freeCount;
    allocator.top = free - 1; // the free list shorter, no frame's flags changed
    expect(m.mem.allocator.freeCount).toBe(free - 1);
    expect(stateDigest(m)).not.toBe(before);
    allocator.top = free;
    expect(stateDigest(m)).toBe(before);
  });

  it('which process uses which mm, the mms being the same', async () => {
    const { m, t } = await machine();
    const peer = m.mem.createProcess('peer');
    const third = m.mem.createProcess('third') as Writable<typeof peer>;
    const own = third.mm;
    third.mm = peer.mm; // app: A, peer: B, third: B — the mms listed are A, B
    const before = stateDigest(m);
    third.mm = t.mm; // third: A — still A, B
    expect(stateDigest(m)).not.toBe(before);
    third.mm = null; // no mm — still A, B
    expect(stateDigest(m)).not.toBe(before);
    third.mm = peer.mm;
    expect(stateDigest(m)).toBe(before);
    third.mm = own;
  });

  it('a PTE table with no entries is no state', async () => {
    const { m, t } = await machine();
    const tables = t.mm!.pageTable;
    const before = stateDigest(m);
    const count = tables.tables;
    tables.ensure(1 << 20); // a table of its own, far from the written page's
    expect(tables.tables).toBe(count + 1);
    expect(stateDigest(m)).toBe(before);
  });

  it('lines are told apart: a name cannot stand for the line after it', async () => {
    const { m, t } = await machine();
    const other = m.mem.createProcess('b') as Writable<ReturnType<typeof m.mem.createProcess>>;
    const own = other.mm;
    other.mm = t.mm;
    const app = m.mem.processes[0]! as Writable<typeof other>;
    const two = stateDigest(m); // "process 1 app mm N", "process 2 b mm N"
    m.mem.processes.pop();
    app.name = `app mm ${t.mm!.id}process ${other.pid} b`;
    expect(stateDigest(m)).not.toBe(two); // one line "process 1 app mm Nprocess 2 b mm N"
    app.name = 'app';
    m.mem.processes.push(other);
    expect(stateDigest(m)).toBe(two);
    other.mm = own;
  });
});

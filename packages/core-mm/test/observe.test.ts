import { describe, expect, it } from 'vitest';
import { Machine, MAP, PROT, type MmEvent } from '../src/index.js';
import { P, v } from './support/mm-helpers.js';

describe('observation face', () => {
  it('reports PTE changes with old/new frame, permission and cause; frees and reuses with generations', async () => {
    const m = new Machine({ memory: { frames: 8 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const events: MmEvent[] = [];
    const stop = m.mem.observers.subscribe((e) => events.push(e));
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous }));
    await v(m.mem.read(t, a)); // zero page
    await v(m.mem.write(t, a, 1)); // COW from the zero page
    await v(m.mem.munmap(t, a, P));
    const b = await v(m.mem.mmap(t, { length: P, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous }));
    await v(m.mem.write(t, b, 2));
    stop();
    await v(m.mem.write(t, b, 3)); // unobserved
    const pte = events.filter((e) => e.kind === 'pte');
    expect(pte.map((e) => [e.cause, e.oldPermission, e.newPermission])).toEqual([
      ['fault', 'none', 'read'],
      ['cow', 'read', 'none'],
      ['cow', 'none', 'write'],
      ['zap', 'write', 'none'],
      ['fault', 'none', 'write'],
    ]);
    const zero = m.mem.allocator.zeroPfn;
    expect(pte[0]).toMatchObject({ oldPfn: -1, newPfn: zero, address: a });
    const first = pte[2]!.newPfn;
    const frees = events.filter((e) => e.kind === 'frame-free');
    expect(frees).toEqual([{ kind: 'frame-free', pfn: first, generation: 0, time: 0 }]);
    // LIFO allocator: the freed frame is the next one handed out, one generation later.
    const allocs = events.filter((e) => e.kind === 'frame-alloc');
    expect(allocs.map((e) => [e.pfn, e.generation, e.reused])).toEqual([
      [first, 0, false],
      [first, 1, true],
    ]);
    expect(m.mem.frames.history(first).map((h) => [h.event, h.generation])).toEqual([
      ['alloc', 0],
      ['map', 0],
      ['unmap', 0],
      ['free', 0],
      ['alloc', 1],
      ['map', 1],
    ]);
  });

  it('builds no event when nobody listens', () => {
    const m = new Machine({ memory: { frames: 8 } });
    expect(m.mem.observers.active).toBe(false);
    const stop = m.mem.observers.subscribe(() => undefined);
    expect(m.mem.observers.active).toBe(true);
    stop();
    expect(m.mem.observers.active).toBe(false);
  });
});

describe('CPU stores', () => {
  it('report user writes (after the fault that made them possible) and pwrite, never reads', async () => {
    const m = new Machine({ memory: { frames: 16 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const stores: MmEvent[] = [];
    m.mem.observers.subscribe((e) => {
      if (e.kind === 'store') stores.push(e);
    });
    const a = await v(m.mem.mmap(t, { length: P, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous }));
    await v(m.mem.read(t, a));
    await v(m.mem.write(t, a + 8, 7));
    const file = m.mem.createFile('f', 2 * P);
    await v(m.mem.pwrite(t, file, P, [9]));
    expect(stores).toEqual([
      { kind: 'store', mm: t.mm!.id, address: a + 8, pfn: expect.any(Number) as number, value: 7, time: 0 },
      { kind: 'store', mm: -1, address: P, pfn: file.pageCache.get(1)!, value: 9, time: 0 },
    ]);
  });
});

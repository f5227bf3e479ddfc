import { describe, expect, it } from 'vitest';
import { andThen, ERAS, isSwapPte, Machine, MAP, MREMAP, PROT, shrinkPage, type Era, type SecondaryMmuPort, type Task } from '../src/index.js';
import { ANON, code, P, pteOf, RW, setup, v } from './support/mm-helpers.js';
import { RecordingPort } from './support/recording-port.js';

// mremap: contents follow the move, the old range is gone, errors change nothing, and
// the notifier calls are the era's (docs/notifier.md).

const MOVE = MREMAP.maymove | MREMAP.fixed;
/** 2 MiB: one PTE table's span, so a move can be made to cross a table. */
const TABLE = 512 * P;

async function filled(m: Machine, t: Task, pages: number, at?: number): Promise<number> {
  const a = await v(m.mem.mmap(t, { length: pages * P, prot: RW, flags: ANON | (at === undefined ? 0 : MAP.fixed), ...(at === undefined ? {} : { addr: at }) }));
  for (let i = 0; i < pages; i++) await v(m.mem.write(t, a + i * P, 100 + i));
  return a;
}

async function readAll(m: Machine, t: Task, a: number, pages: number): Promise<(number | string)[]> {
  const out: (number | string)[] = [];
  for (let i = 0; i < pages; i++) {
    try {
      out.push(await v(m.mem.read(t, a + i * P)));
    } catch (e) {
      out.push((e as { code: string }).code);
    }
  }
  return out;
}

/** What a rejected call must leave as it was: the vmas and every value. */
function snapshot(t: Task): string {
  return t.mm!.vmas.overlapping(0, 2 ** 48).map((x) => `${x.start.toString(16)}-${x.end.toString(16)}:${x.flags}:${x.pgoff}`).join(' ');
}

describe.each(ERAS)('mremap in %s', (era: Era) => {
  it('MREMAP_FIXED moves the pages: same frames at the new address, none at the old, rss unchanged', async () => {
    const { m, t } = setup(era);
    const a = await filled(m, t, 3, 2 ** 40);
    const pfns = [0, 1, 2].map((i) => pteOf(t, a + i * P).pfn);
    const rss = t.mm!.rss;
    const b = 2 ** 40 + 16 * P;
    expect(await v(m.mem.mremap(t, a, 3 * P, 3 * P, MOVE, b))).toBe(b);
    expect([0, 1, 2].map((i) => pteOf(t, b + i * P).pfn)).toEqual(pfns);
    expect(await readAll(m, t, b, 3)).toEqual([100, 101, 102]);
    expect(await readAll(m, t, a, 3)).toEqual(['SIGSEGV', 'SIGSEGV', 'SIGSEGV']);
    expect(t.mm!.rss).toBe(rss);
  });

  it('moves part of a vma across a PTE-table boundary, and the rest of the vma stays', async () => {
    const { m, t } = setup(era);
    const a = await filled(m, t, 4, 2 ** 40);
    const b = 2 ** 40 + TABLE - P; // pages land on both sides of a table boundary
    expect(await v(m.mem.mremap(t, a + P, 2 * P, 2 * P, MOVE, b))).toBe(b);
    expect(await readAll(m, t, b, 2)).toEqual([101, 102]);
    expect(await readAll(m, t, a, 4)).toEqual([100, 'SIGSEGV', 'SIGSEGV', 103]);
  });

  it('shrinking unmaps the tail; growing in place extends the vma with fresh zero pages', async () => {
    const { m, t } = setup(era);
    const a = await filled(m, t, 4, 2 ** 40);
    expect(await v(m.mem.mremap(t, a, 4 * P, 2 * P))).toBe(a);
    expect(await readAll(m, t, a, 4)).toEqual([100, 101, 'SIGSEGV', 'SIGSEGV']);
    expect(await v(m.mem.mremap(t, a, 2 * P, 5 * P))).toBe(a);
    expect(await readAll(m, t, a, 5)).toEqual([100, 101, 0, 0, 0]);
    expect(t.mm!.vmas.lookup(a)!.end).toBe(a + 5 * P);
  });

  it('growing where the next mapping is in the way: ENOMEM without MREMAP_MAYMOVE, a move with it', async () => {
    const { m, t } = setup(era);
    const a = await filled(m, t, 2, 2 ** 40);
    await v(m.mem.mmap(t, { addr: 2 ** 40 + 2 * P, length: P, prot: PROT.read, flags: ANON | MAP.fixed })); // a different vma right after
    const before = snapshot(t);
    expect(await code(() => m.mem.mremap(t, a, 2 * P, 4 * P))).toBe('ENOMEM');
    expect(snapshot(t)).toBe(before);
    const b = await v(m.mem.mremap(t, a, 2 * P, 4 * P, MREMAP.maymove));
    expect(b).not.toBe(a);
    expect(await readAll(m, t, b, 4)).toEqual([100, 101, 0, 0]);
    expect(await readAll(m, t, a, 1)).toEqual(['SIGSEGV']);
  });

  it('MREMAP_FIXED replaces what was at the target and drops the old range past the new length', async () => {
    const { m, t } = setup(era);
    const a = await filled(m, t, 3, 2 ** 40);
    const b = await filled(m, t, 2, 2 ** 40 + 8 * P);
    expect(await v(m.mem.mremap(t, a, 3 * P, 2 * P, MOVE, b))).toBe(b);
    expect(await readAll(m, t, b, 2)).toEqual([100, 101]);
    expect(await readAll(m, t, a, 3)).toEqual(['SIGSEGV', 'SIGSEGV', 'SIGSEGV']);
  });

  it('a swapped-out page moves as its swap entry and comes back at the new address', async () => {
    const { m, t } = setup(era);
    const a = await filled(m, t, 2, 2 ** 40);
    const pfn = pteOf(t, a).pfn;
    const k = m.task('kswapd');
    await v(shrinkPage(m.mem, k, pfn));
    await v(shrinkPage(m.mem, k, pfn));
    expect(isSwapPte(pteOf(t, a).bits)).toBe(true);
    const b = 2 ** 40 + 32 * P;
    await v(m.mem.mremap(t, a, 2 * P, 2 * P, MOVE, b));
    expect(await readAll(m, t, b, 2)).toEqual([100, 101]);
  });

  it('a COW page shared with a fork child moves in the parent; the child keeps its own view', async () => {
    const { m, t } = setup(era);
    const a = await filled(m, t, 2, 2 ** 40);
    const child = (await v(m.mem.fork(t, 'child'))).task('c0');
    const b = 2 ** 40 + 32 * P;
    await v(m.mem.mremap(t, a, 2 * P, 2 * P, MOVE, b));
    await v(m.mem.write(t, b, 7)); // breaks COW at the new address
    expect(await readAll(m, t, b, 2)).toEqual([7, 101]);
    expect(await readAll(m, child, a, 2)).toEqual([100, 101]);
  });

  it('a shared file mapping moves: the page cache pages are found by the file rmap at the new address', async () => {
    const { m, t } = setup(era);
    const file = m.mem.createFile('data', 4 * P);
    const a = await v(m.mem.mmap(t, { length: 4 * P, prot: RW, flags: MAP.shared, file }));
    await v(m.mem.write(t, a + P, 55));
    const b = 2 ** 40 + 64 * P;
    await v(m.mem.mremap(t, a, 4 * P, 4 * P, MOVE, b));
    expect(await readAll(m, t, b, 2)).toEqual([0, 55]);
    await v(m.mem.ftruncate(t, file, P)); // truncation must find and zap the moved page
    expect(await readAll(m, t, b, 2)).toEqual([0, 'SIGBUS']);
  });

  it('a growing VM_LOCKED mapping has its new part populated', async () => {
    const { m, t } = setup(era);
    const a = await filled(m, t, 2, 2 ** 40);
    await v(m.mem.mlock(t, a, 2 * P));
    expect(await v(m.mem.mremap(t, a, 2 * P, 4 * P))).toBe(a);
    expect(pteOf(t, a + 3 * P).bits).not.toBe(0);
  });
});

describe('mremap refuses bad input and changes nothing', () => {
  const cases: [string, (m: Machine, t: Task, a: number) => unknown, string][] = [
    ['unknown flags', (m, t, a) => m.mem.mremap(t, a, P, P, 8), 'EINVAL'],
    ['MREMAP_FIXED without MREMAP_MAYMOVE', (m, t, a) => m.mem.mremap(t, a, P, P, MREMAP.fixed, a + 64 * P), 'EINVAL'],
    ['an unaligned old address', (m, t, a) => m.mem.mremap(t, a + 1, P, P), 'EINVAL'],
    ['a zero new length', (m, t, a) => m.mem.mremap(t, a, P, 0), 'EINVAL'],
    ['a zero old length', (m, t, a) => m.mem.mremap(t, a, 0, P, MREMAP.maymove), 'EINVAL'],
    ['a negative length', (m, t, a) => m.mem.mremap(t, a, -P, P), 'EINVAL'],
    ['an unaligned target', (m, t, a) => m.mem.mremap(t, a, P, P, MOVE, a + 64 * P + 1), 'EINVAL'],
    ['a target past user space', (m, t, a) => m.mem.mremap(t, a, P, P, MOVE, 2 ** 47), 'EINVAL'],
    ['overlapping old and new ranges', (m, t, a) => m.mem.mremap(t, a, 2 * P, 2 * P, MOVE, a + P), 'EINVAL'],
    ['a new address without MREMAP_FIXED', (m, t, a) => m.mem.mremap(t, a, P, P, MREMAP.maymove, a + 64 * P), 'EINVAL'],
    ['nothing mapped at the old address', (m, t, a) => m.mem.mremap(t, a + 32 * P, P, 2 * P, MREMAP.maymove), 'EFAULT'],
    ['an old range past its vma, growing', (m, t, a) => m.mem.mremap(t, a, 6 * P, 8 * P, MREMAP.maymove), 'EFAULT'],
    ['an old range past its vma, MREMAP_FIXED (Linux unmaps the target first)', (m, t, a) => m.mem.mremap(t, a, 6 * P, 6 * P, MOVE, a + 64 * P), 'EFAULT'],
  ];
  it.each(cases)('%s', async (_name, call, expected) => {
    const { m, t } = setup('v6');
    const a = await filled(m, t, 4, 2 ** 40);
    await filled(m, t, 1, 2 ** 40 + 64 * P); // a target mapping a bad call must not unmap
    const before = snapshot(t);
    expect(await code(() => call(m, t, a))).toBe(expected);
    expect(snapshot(t)).toBe(before);
    expect(await readAll(m, t, a, 4)).toEqual([100, 101, 102, 103]);
    expect(await readAll(m, t, 2 ** 40 + 64 * P, 1)).toEqual([100]);
  });
});

describe('mremap notifier calls', () => {
  function withPort(era: Era): { m: Machine; t: Task; port: RecordingPort } {
    const { m, t } = setup(era);
    const port = new RecordingPort();
    t.mm!.secondary = port;
    return { m, t, port };
  }

  it('v6: one UNMAP range over the old span around the move, the secondary TLB flush under the PT locks, then munmap\'s range', async () => {
    const { m, t, port } = withPort('v6');
    const a = await filled(m, t, 2, 2 ** 40 + TABLE - P); // the old range crosses a table
    port.clear();
    const b = 2 ** 40 + 4 * TABLE;
    await v(m.mem.mremap(t, a, 2 * P, 2 * P, MOVE, b));
    const moveCalls = port.calls.slice(0, port.calls.findIndex((c) => c.op === 'end') + 1);
    expect(moveCalls.map((c) => c.op)).toEqual(['start', 'secondary_tlbs', 'secondary_tlbs', 'end']);
    expect(moveCalls[0]).toMatchObject({ start: a, end: a + 2 * P, event: 'unmap', blockable: true });
    expect(moveCalls[1]!.held.some((h) => h.startsWith('anon_vma'))).toBe(true); // take_rmap_locks
    expect(moveCalls[1]!.held).toContain('ptl (spinlock)');
    expect(port.calls.filter((c) => c.op === 'start').map((c) => [c.start, c.end])).toEqual([
      [a, a + 2 * P],
      [a, a + 2 * P], // munmap of the old range: nothing left to zap
    ]);
  });

  for (const era of ['rfc-2008', 'v2.6.27'] as const) {
    it(`${era}: one range per extent, begun outside the rmap and PT locks`, async () => {
      const { m, t, port } = withPort(era);
      const a = await filled(m, t, 2, 2 ** 40 + TABLE - P);
      port.clear();
      await v(m.mem.mremap(t, a, 2 * P, 2 * P, MOVE, 2 ** 40 + 4 * TABLE));
      const starts = port.calls.filter((c) => c.op === 'start');
      expect(starts.map((c) => [c.start, c.end, c.event])).toEqual([
        [a, a + P, 'unmap'],
        [a + P, a + 2 * P, 'unmap'],
        [a, a + 2 * P, 'unmap'], // munmap of the old range
      ]);
      for (const s of starts) expect(s.held.some((h) => h.startsWith('ptl') || h.startsWith('i_mmap') || h.startsWith('anon_vma'))).toBe(false);
      expect(port.ops()).not.toContain('invalidate_page');
    });
  }

  it('rfc-2008: a subscriber that sleeps in its start (allowed there) delays each extent, and every page still moves to its place', async () => {
    const { m, t, port } = withPort('rfc-2008');
    const a = await filled(m, t, 2, 2 ** 40 + TABLE - P); // two extents: one page each side of a table boundary
    const to = 2 ** 40 + 4 * TABLE;
    const start = port.invalidateRangeStart.bind(port);
    let blocked = 0;
    // A port's start may return a promise (a subscriber that sleeps); the recording port's never does.
    (port as { invalidateRangeStart: SecondaryMmuPort['invalidateRangeStart'] }).invalidateRangeStart = (task, range) => {
      blocked++;
      return andThen(m.sched.sleep(task, 100), () => start(task, range));
    };
    m.mem.processes[0]!.spawn('mover', (task) => m.mem.mremap(task, a, 2 * P, 2 * P, MOVE, to));
    expect((await m.sched.run()).violations).toEqual([]);
    expect(blocked).toBe(3); // two extents, then munmap of the old range
    expect(await readAll(m, t, to, 2)).toEqual([100, 101]);
    expect(await readAll(m, t, a, 2)).toEqual(['SIGSEGV', 'SIGSEGV']);
  });

  it('2.6.27: a file mapping takes i_mmap_lock inside the bracket, and no rmap walk can miss the page', async () => {
    const { m, t, port } = withPort('v2.6.27');
    const file = m.mem.createFile('data', 2 * P);
    const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: MAP.shared, file }));
    await v(m.mem.write(t, a, 9));
    port.clear();
    await v(m.mem.mremap(t, a, 2 * P, 2 * P, MOVE, 2 ** 40 + 4 * TABLE));
    expect(port.calls[0]!.held.some((h) => h.startsWith('i_mmap'))).toBe(false);
    expect(await readAll(m, t, 2 ** 40 + 4 * TABLE, 1)).toEqual([9]);
  });
});

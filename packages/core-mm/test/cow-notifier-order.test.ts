import { describe, expect, it } from 'vitest';
import { Machine, type Mm, type MmuNotifierRange, type Task } from '../src/index.js';
import { RecordingPort } from './support/recording-port.js';
import { ANON, P, pteOf, RW, v } from './support/mm-helpers.js';

// v6 wp_page_copy() allocates the new page and copies the old one into it
// (folio_prealloc, __wp_page_copy_user) *before* mmu_notifier_invalidate_range_start()
// of its CLEAR range; only the PT-lock recheck, the PTE switch and the secondary TLB
// flush are inside the range. The model used to begin the range first and allocate
// and copy inside it, so a subscriber that sleeps in its start (the acking mirror)
// delayed the copy past its wait, and the allocation (which may reclaim) ran with the
// range in progress.

/** What the port saw when the COW's range began: frames allocated so far, and the newest one's content. */
interface AtStart {
  readonly allocated: number[];
  readonly content: number | undefined;
}

function watch(m: Machine, mm: Mm): { port: RecordingPort; allocs: number[]; atStart: AtStart[] } {
  const allocs: number[] = [];
  m.mem.observers.subscribe((e) => {
    if (e.kind === 'frame-alloc') allocs.push(e.pfn);
  });
  const atStart: AtStart[] = [];
  const port = new RecordingPort();
  const start = port.invalidateRangeStart.bind(port);
  port.invalidateRangeStart = (task: Task, range: MmuNotifierRange): number => {
    if (range.event === 'clear') {
      const last = allocs.at(-1);
      atStart.push({ allocated: allocs.slice(), content: last === undefined ? undefined : m.mem.frames.content[last] });
    }
    return start(task, range);
  };
  mm.secondary = port;
  return { port, allocs, atStart };
}

describe('v6 wp_page_copy: the new page is allocated and filled before the CLEAR range begins', () => {
  it('a page COW-shared by fork: the copy exists when invalidate_range_start is called', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    await v(m.mem.write(t, a, 7));
    const child = await v(m.mem.fork(t, 'child'));
    const { port, allocs, atStart } = watch(m, t.mm!);
    const old = pteOf(t, a).pfn;
    await v(m.mem.write(t, a, 8)); // the parent breaks COW
    expect(port.ops()).toEqual(['start', 'secondary_tlbs', 'end']);
    expect(allocs).toHaveLength(1);
    const copy = allocs[0]!;
    expect(pteOf(t, a).pfn).toBe(copy);
    expect(copy).not.toBe(old);
    expect(atStart).toEqual([{ allocated: [copy], content: 7 }]);
    expect(await v(m.mem.read(child.task('c'), a))).toBe(7);
    expect(await v(m.mem.read(t, a))).toBe(8);
    expect(m.report.violations).toEqual([]);
  });

  it('the zero page: the zeroed page exists when invalidate_range_start is called', async () => {
    const m = new Machine({ era: 'v6', memory: { frames: 64 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
    expect(await v(m.mem.read(t, a))).toBe(0); // maps the zero page
    const { port, allocs, atStart } = watch(m, t.mm!);
    await v(m.mem.write(t, a, 3));
    expect(port.ops()).toEqual(['start', 'secondary_tlbs', 'end']);
    expect(allocs).toHaveLength(1);
    expect(atStart).toEqual([{ allocated: allocs, content: 0 }]);
    expect(await v(m.mem.read(t, a))).toBe(3);
    expect(m.report.violations).toEqual([]);
  });
});

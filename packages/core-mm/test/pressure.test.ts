import { describe, expect, it } from 'vitest';
import { configureSwap, ERAS, Machine, MAP, movePages, PROT, Reclaim, Rng, verify, type Task } from '../src/index.js';
import { P, v } from './support/mm-helpers.js';

// Seeded pressure runs on a small machine with reclaim installed (direct reclaim from the
// allocator, swap, pageout of dirty file pages): random writes and reads of private
// anonymous memory and of a shared file mapping, fork, munmap, fsync and page migration,
// checked against a plain reference map of what each process must read. Nothing may be
// lost, and verify stays quiet.
const SLOTS = 24;

interface Proc {
  task: Task;
  anon: number;
  file: number;
  mine: Map<number, number>; // anon slot -> value (private)
}

/** Runs one seed; returns how many pages reclaim freed (the pressure was real). */
async function run(era: (typeof ERAS)[number], seed: number): Promise<number> {
  const m = new Machine({ era, seed, memory: { frames: 48 } });
  let freed = 0;
  m.mem.observers.subscribe((e) => {
    if (e.kind === 'scan' && e.verdict === 'freed') freed++;
  });
  configureSwap(m.mem, 256);
  new Reclaim(m.mem, { low: 2, high: 6 });
  const rng: Rng = m.rng.workload;
  const file = m.mem.createFile('shared', SLOTS * P);
  const shared = new Map<number, number>(); // file page -> value (seen by everyone)
  const procs: Proc[] = [];
  const start = async (task: Task, mine: Map<number, number>): Promise<Proc> => {
    const anon = await v(m.mem.mmap(task, { length: SLOTS * P, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous }));
    const f = await v(m.mem.mmap(task, { length: SLOTS * P, prot: PROT.read | PROT.write, flags: MAP.shared, file }));
    return { task, anon, file: f, mine };
  };
  procs.push(await start(m.mem.createProcess('p0').task('p0'), new Map()));
  for (let op = 0; op < 120; op++) {
    const p = procs[rng.int(0, procs.length - 1)]!;
    const slot = rng.int(0, SLOTS - 1);
    const value = rng.int(1, 0xffff);
    switch (rng.int(0, 7)) {
      case 0:
      case 1:
        await v(m.mem.write(p.task, p.anon + slot * P, value));
        p.mine.set(slot, value);
        break;
      case 2:
        await v(m.mem.write(p.task, p.file + slot * P, value));
        shared.set(slot, value);
        break;
      case 3:
        expect(await v(m.mem.read(p.task, p.anon + slot * P)), `seed ${seed} op ${op} anon`).toBe(p.mine.get(slot) ?? 0);
        expect(await v(m.mem.read(p.task, p.file + slot * P)), `seed ${seed} op ${op} file`).toBe(shared.get(slot) ?? 0);
        break;
      case 4:
        if (procs.length < 3) {
          const child = await v(m.mem.fork(p.task, `p${procs.length}`));
          // The child's anon mapping is a COW copy at the same address; its shared mapping is the same file.
          procs.push({ task: child.task(`p${procs.length}`), anon: p.anon, file: p.file, mine: new Map(p.mine) });
        }
        break;
      case 5:
        await v(m.mem.madvise(p.task, p.anon + slot * P, P, 'dontneed'));
        p.mine.delete(slot);
        break;
      case 6:
        await v(m.mem.fsync(p.task, file));
        break;
      case 7:
        await v(movePages(m.mem, p.task, p.task.mm!, [p.anon + slot * P, p.file + slot * P]));
        break;
    }
  }
  for (const p of procs) {
    for (let slot = 0; slot < SLOTS; slot++) {
      expect(await v(m.mem.read(p.task, p.anon + slot * P)), `seed ${seed} final anon`).toBe(p.mine.get(slot) ?? 0);
      expect(await v(m.mem.read(p.task, p.file + slot * P)), `seed ${seed} final file`).toBe(shared.get(slot) ?? 0);
    }
  }
  expect(verify(m, { record: false }).map((x) => x.message)).toEqual([]);
  expect(m.report.violations).toEqual([]);
  return freed;
}

describe('memory pressure against a reference model', () => {
  for (const era of ERAS) {
    it(`${era}: 30 seeded runs, nothing lost`, async () => {
      let freed = 0;
      for (let seed = 1; seed <= 30; seed++) freed += await run(era, seed);
      expect(freed).toBeGreaterThan(100); // reclaim really swapped and dropped pages
    }, 60_000);
  }
});

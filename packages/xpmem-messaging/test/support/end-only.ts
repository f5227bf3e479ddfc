import { Machine, MAP, PAGE_SIZE, PROT, shrinkPage, walkPageTable, type Era, type RunResult, type Task } from '@secondary-mmu/core-mm';
import type { XpmemFactory } from '../../src/index.js';

/** What moves the owner's page away while an importer maps it. */
export type Trigger = 'punch-hole' | 'truncate' | 'swap-then-write';

/** The outcome of one end-only program run. */
export interface ProgramRun {
  readonly machine: Machine;
  readonly run: RunResult;
  /** What the importer read after the trigger, and what the owner reads at the end. */
  readonly importerRead: number | null;
  readonly ownerRead: number | null;
}

const ms = 1_000_000;

/**
 * One program, one scheduler run (so its token replays the whole finding): the owner
 * `app` maps a page — a shared file page for the file triggers, anonymous for
 * `swap-then-write` — and writes 11; an importer reads it (the owner pins it); at 1 ms
 * another task moves the page away from the owner's mapping (another process's hole
 * punch or truncate; kswapd swapping it out); at 2 ms the owner writes 22 (a new page:
 * the hole, the truncated-and-regrown file, or the swap-in's COW away from the pinned
 * frame); at 3 ms the importer reads and writes 33; at 4 ms the owner reads.
 */
export async function moveAwayProgram(factory: XpmemFactory, era: Era, trigger: Trigger, replay?: string): Promise<ProgramRun> {
  const m = new Machine({ era, memory: { frames: 64 }, program: `end-only ${factory.name} ${trigger}`, ...(replay === undefined ? { seed: 1 } : { replay }) });
  const app = m.mem.createProcess('app');
  const other = m.mem.createProcess('other');
  const t = app.task('setup');
  const file = trigger === 'swap-then-write' ? null : m.mem.createFile('shared', 2 * PAGE_SIZE);
  const a = await m.mem.mmap(t, { length: PAGE_SIZE, prot: PROT.read | PROT.write, flags: file === null ? MAP.private | MAP.anonymous : MAP.shared, ...(file === null ? {} : { file }) });
  await m.mem.write(t, a, 11);
  const imp = await factory.attach(t, m, t.mm!);
  let importerRead: number | null = null;
  let ownerRead: number | null = null;
  const at = (task: Task, ns: number): void | Promise<void> => m.sched.sleep(task, Math.max(0, ns - m.clock.now));
  m.sched.spawn('importer', async (task) => {
    await imp.read(task, a);
    await at(task, 3 * ms);
    importerRead = await imp.read(task, a);
    await imp.write(task, a, 33);
  });
  if (file !== null) {
    other.spawn('other', async (task) => {
      await at(task, ms);
      if (trigger === 'punch-hole') await m.mem.punchHole(task, file, 0, PAGE_SIZE);
      else {
        await m.mem.ftruncate(task, file, 0);
        await m.mem.ftruncate(task, file, 2 * PAGE_SIZE);
      }
    });
  } else {
    m.sched.spawn('kswapd', async (task) => {
      await at(task, ms);
      const pfn = walkPageTable(t.mm!, a)!.pfn;
      for (let pass = 0; pass < 4; pass++) if ((await shrinkPage(m.mem, task, pfn, { writePage: true })) === 'freed') return;
    });
  }
  app.spawn('cpu', async (task) => {
    await at(task, 2 * ms);
    await m.mem.write(task, a, 22);
    await at(task, 4 * ms);
    ownerRead = await m.mem.read(task, a);
  });
  const run = await m.sched.run();
  return { machine: m, run, importerRead, ownerRead };
}

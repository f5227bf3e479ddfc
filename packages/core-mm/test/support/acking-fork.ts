import { andThen, Machine, type Process, type SecondaryMmuPort, type Task } from '../../src/index.js';
import { ANON, P, pteOf, RW, v } from './mm-helpers.js';

/** A v6 machine whose one anonymous page (value 40) is shared by a parent and its forked child. */
export interface AckingFork {
  readonly m: Machine;
  /** The parent process and its child. */
  readonly app: Process;
  readonly child: Process;
  /** The parent's task and the child's. */
  readonly t: Task;
  readonly ct: Task;
  /** The page's address (the same in both) and its frame. */
  readonly a: number;
  readonly pfn: number;
}

/**
 * The setup of the swap-in-during-reclaim races: a page with two mappings (so
 * `try_to_unmap` visits two vmas), and in both mms a secondary of the acking mirror's
 * shape — each blockable range start sleeps 2000 ns for a remote acknowledgement, which
 * lets other tasks run inside reclaim's walk.
 */
export async function ackingFork(): Promise<AckingFork> {
  const m = new Machine({ era: 'v6', memory: { frames: 64 } });
  const app = m.mem.createProcess('app');
  const t = app.task('cpu0');
  const a = await v(m.mem.mmap(t, { length: P, prot: RW, flags: ANON }));
  await v(m.mem.write(t, a, 40));
  const child = await v(m.mem.fork(t, 'child'));
  const ct = child.task('child');
  const acking = (): SecondaryMmuPort => ({
    release: () => undefined,
    invalidateRangeStart: (task, range) => (range.blockable ? andThen(m.sched.sleep(task, 2000), () => 0) : 0),
    invalidateRangeEnd: () => undefined,
    invalidatePage: () => undefined,
    clearFlushYoung: () => false,
    archInvalidateSecondaryTlbs: () => undefined,
  });
  t.mm!.secondary = acking();
  ct.mm!.secondary = acking();
  return { m, app, child, t, ct, a, pfn: pteOf(t, a).pfn };
}

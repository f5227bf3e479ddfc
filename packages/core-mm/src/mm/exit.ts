import type { Task } from '../sched/task.js';
import { andThen, ensure } from '../util/flow.js';
import type { Memory } from './memory.js';
import type { Mm } from './mm.js';
import { requireMm } from './mmap.js';
import { notifierRange, notifyRangeEnd, notifyRangeStart, notifyRelease } from './notify.js';
import { unlinkVmaRmap } from './vma-ops.js';
import { zapRange } from './zap.js';

/**
 * A process exits: its task drops the mm (`exit_mm` -> `mmput`), and the last user
 * tears the address space down with `exit_mmap`. The task keeps running as a task
 * without an mm.
 */
export function exitMm(mem: Memory, task: Task): void | Promise<void> {
  const mm = requireMm(task);
  task.mm = null;
  for (const p of mem.processes) if (p.mm === mm) for (const t of p.tasks) if (t.mm === mm) t.mm = null;
  if (--mm.users > 0) return;
  for (const p of mem.processes) if (p.mm === mm) p.mm = null;
  return exitMmap(mem, task, mm);
}

/**
 * `exit_mmap()`: `mmu_notifier_release()` first — every era calls it before any page
 * is freed (the notifier core decides whether the subscription is unlisted before or
 * after `->release`) — then, under `mmap_lock`, unmap every vma inside one UNMAP
 * range and drop the vmas from the reverse maps.
 */
export function exitMmap(mem: Memory, task: Task, mm: Mm): void | Promise<void> {
  return andThen(notifyRelease(task, mm), () =>
    andThen(mm.mmapLock.downWrite(task), () =>
      ensure(
        () => {
          const vmas = mm.vmas.all();
          if (vmas.length === 0) return;
          const range = notifierRange(mm, vmas[0]!.start, vmas[vmas.length - 1]!.end, 'unmap');
          const zapAll = (k: number): void | Promise<void> => {
            for (; k < vmas.length; k++) {
              const r = zapRange(mem, task, vmas[k]!, vmas[k]!.start, vmas[k]!.end, 'exit');
              if (r instanceof Promise) return r.then(() => zapAll(k + 1));
            }
          };
          const unlinkAll = (k: number): void | Promise<void> => {
            for (; k < vmas.length; k++) {
              mm.vmas.remove(vmas[k]!);
              const r = unlinkVmaRmap(task, vmas[k]!);
              if (r instanceof Promise) return r.then(() => unlinkAll(k + 1));
            }
          };
          return andThen(notifyRangeStart(task, range), () =>
            andThen(
              ensure(() => zapAll(0), () => notifyRangeEnd(task, range)),
              () => unlinkAll(0),
            ),
          );
        },
        () => {
          mm.dead = true;
          return mm.mmapLock.upWrite(task);
        },
      ),
    ),
  );
}

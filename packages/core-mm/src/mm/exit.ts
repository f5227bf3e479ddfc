import type { Task } from '../kernel/sched/task.js';
import { andThen, ensure } from '../kernel/util/flow.js';
import type { MemoryState } from './memory-state.js';
import type { Mm } from './mm-types.js';
import { TASK_SIZE } from './layout.js';
import { requireMm, unlinkAll, zapVmas } from './mmap.js';
import { notifyRelease } from './notify.js';

/**
 * A process exits: its task drops the mm (`exit_mm` -> `mmput`), and the last user
 * tears the address space down with `exit_mmap`. The task keeps running as a task
 * without an mm.
 */
export function exitMm(mem: MemoryState, task: Task): void | Promise<void> {
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
 * after `->release`) — then every vma is unmapped inside one UNMAP range over the whole
 * user address space (the kernel's `0..ULONG_MAX`; here `0..TASK_SIZE`), and the vmas
 * leave the reverse maps.
 *
 * Locking per era: v6 holds `mmap_lock` for reading around the unmap and for writing
 * while the vmas are removed; 2008's `exit_mmap` took no `mmap_sem` (no user was left).
 * Before either, the model takes `mmap_lock` once for writing and marks the mm dead:
 * its other tasks are gone in the kernel (exit_group), and in the model any call of
 * theirs still waiting for the lock then fails instead of touching a dead mm.
 */
export function exitMmap(mem: MemoryState, task: Task, mm: Mm): void | Promise<void> {
  const v6 = mem.era === 'v6';
  const barrier = andThen(mm.mmapLock.downWrite(task), () => {
    mm.dead = true;
    return mm.mmapLock.upWrite(task);
  });
  return andThen(barrier, () =>
    andThen(notifyRelease(task, mm), () => {
      const vmas = mm.vmas.all();
      if (vmas.length === 0) return;
      const unmap = (): void | Promise<void> => zapVmas(mem, task, mm, vmas, 'unmap', { start: 0, end: TASK_SIZE, cause: 'exit' });
      const unmapped = v6 ? andThen(mm.mmapLock.downRead(task), () => ensure(unmap, () => mm.mmapLock.upRead(task))) : unmap();
      const remove = (): void | Promise<void> => {
        for (const vma of vmas) mm.vmas.remove(vma);
        return unlinkAll(mem, task, vmas);
      };
      return andThen(unmapped, () => (v6 ? andThen(mm.mmapLock.downWrite(task), () => ensure(remove, () => mm.mmapLock.upWrite(task))) : remove()));
    }),
  );
}

import { Completion } from '../kernel/locks/completion.js';
import type { Task } from '../kernel/sched/task.js';
import { andThen } from '../kernel/util/flow.js';
import { exitMmap } from './exit.js';
import type { MemoryState } from './memory-state.js';
import type { Mm } from './mm-types.js';
import type { Process } from './process.js';
import { notifierRange, notifyRangeEnd, notifyRangeStart } from './notify.js';
import { VM } from './mm-types.js';
import { zapRange } from './zap.js';

/** The OOM reaper's retry policy (`MAX_OOM_REAP_RETRIES`, `schedule_timeout_idle(HZ/10)`). */
export const OOM_REAP_RETRIES = 10;
/** HZ/10, in virtual ns. */
export const OOM_REAP_INTERVAL_NS = 100_000_000;

/** What an OOM kill did. */
export interface OomResult {
  readonly victim: Process | null;
  /** v6: reap attempts until every private vma was reaped, or OOM_REAP_RETRIES when it gave up (MMF_OOM_SKIP). */
  readonly reapAttempts: number;
  /** v6: the reaper gave up on the mm. */
  readonly skipped: boolean;
}

/**
 * `out_of_memory()`: when reclaim cannot free enough, kill the process with the most
 * resident memory (`oom_badness`, by rss). In v6 the OOM reaper (a separate task in the
 * kernel, here the caller's) frees the victim's private memory at once with
 * **non-blockable** UNMAP ranges under `mmap_read_trylock`, skipping a vma whose
 * `invalidate_range_start` answers `-EAGAIN` and retrying up to 10 times, HZ/10 apart
 * in virtual time, before giving up on the mm (`MMF_OOM_SKIP`); then the victim exits.
 * The 2008 eras had no reaper (it came in 4.6): the victim just exits — `release`,
 * then the unmap.
 */
export function outOfMemory(mem: MemoryState, task: Task): OomResult | Promise<OomResult> {
  const victim = pickVictim(mem, task.mm);
  if (victim === null) return { victim: null, reapAttempts: 0, skipped: false };
  const mm = victim.mm!;
  return asReaper(mem, task, (reaper) => {
    const reaped = mem.era === 'v6' ? reapWithRetries(mem, reaper, mm) : { attempts: 0, skipped: false };
    return andThen(reaped, (r) => andThen(killProcess(mem, reaper, victim), () => ({ victim, reapAttempts: r.attempts, skipped: r.skipped })));
  });
}

/**
 * The reaping and the victim's teardown run in their own task, as the kernel's
 * `oom_reaper` thread and the dying victim do — never nested in the allocating task,
 * which may hold its own `mmap_lock`. Outside a run that is a direct task; in a run a
 * spawned `oom_reaper`, while the allocating task sleeps until it is done.
 */
function asReaper<T>(mem: MemoryState, task: Task, body: (reaper: Task) => T | Promise<T>): T | Promise<T> {
  const sched = mem.kernel.sched;
  if (!sched.running) return body(mem.kernel.task('oom_reaper'));
  const done = new Completion(mem.kernel, 'oom_reaped');
  let result: T | undefined;
  sched.spawn('oom_reaper', (reaper) =>
    andThen(body(reaper), (value) => {
      result = value;
      done.complete();
    }),
  );
  return andThen(done.wait(task), () => result!);
}

/**
 * `oom_badness()` reduced to rss: the live process mapping the most pages, other than
 * the allocating one (`except`): the model kills synchronously, and a task cannot tear
 * down the mm whose `mmap_lock` it holds mid-fault; when it is the only candidate, its
 * allocation fails with ENOMEM instead.
 */
export function pickVictim(mem: MemoryState, except: Mm | null = null): Process | null {
  let best: Process | null = null;
  for (const p of mem.processes) {
    if (p.mm === null || p.mm.dead || p.mm === except || p.mm.rss === 0) continue;
    if (best === null || p.mm.rss > best.mm!.rss) best = p;
  }
  return best;
}

/** `oom_reap_task()`: up to OOM_REAP_RETRIES passes of `__oom_reap_task_mm`, HZ/10 apart. */
function reapWithRetries(mem: MemoryState, task: Task, mm: Mm): { attempts: number; skipped: boolean } | Promise<{ attempts: number; skipped: boolean }> {
  const attempt = (n: number): { attempts: number; skipped: boolean } | Promise<{ attempts: number; skipped: boolean }> =>
    andThen(reapOnce(mem, task, mm), (done) => {
      if (done) return { attempts: n, skipped: false };
      if (n >= OOM_REAP_RETRIES) return { attempts: n, skipped: true };
      return andThen(mem.kernel.sched.sleep(task, OOM_REAP_INTERVAL_NS), () => attempt(n + 1));
    });
  return attempt(1);
}

/**
 * `__oom_reap_task_mm()` under `mmap_read_trylock` (false: try again later): unmap every
 * anonymous or private vma inside a non-blockable UNMAP range; a vma whose range start
 * fails (`-EAGAIN`, or any error: the kernel checks for non-zero) is left for the next attempt (no end call: the notifier core
 * pairs what it started).
 */
export function reapOnce(mem: MemoryState, task: Task, mm: Mm): boolean | Promise<boolean> {
  if (mm.dead) return true;
  if (!mm.mmapLock.tryDownRead(task)) return false;
  const vmas = mm.vmas.all().filter((v) => v.isAnonymous || (v.flags & VM.shared) === 0);
  let complete = true;
  const step = (k: number): void | Promise<void> => {
    for (; k < vmas.length; k++) {
      const vma = vmas[k]!;
      const range = notifierRange(mm, vma.start, vma.end, 'unmap', { nonBlock: true });
      const r = andThen(notifyRangeStart(task, range), (ret) => {
        if (ret !== 0) {
          complete = false;
          return;
        }
        return andThen(zapRange(mem, task, vma, vma.start, vma.end, 'zap'), () => notifyRangeEnd(task, range));
      });
      if (r instanceof Promise) return r.then(() => step(k + 1));
    }
  };
  return andThen(step(0), () => andThen(mm.mmapLock.upRead(task), () => complete));
}

/** The victim dies (SIGKILL): its tasks lose the mm and the last reference tears it down. */
function killProcess(mem: MemoryState, task: Task, victim: Process): void | Promise<void> {
  const mm = victim.mm!;
  for (const t of victim.tasks) if (t.mm === mm) t.mm = null;
  victim.mm = null;
  mm.users = 0;
  return exitMmap(mem, task, mm);
}

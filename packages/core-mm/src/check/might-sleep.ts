import type { Task } from '../sched/task.js';

/**
 * `might_sleep()`: every sleeping primitive calls this before it may suspend, whether
 * or not it ends up waiting (CONFIG_DEBUG_ATOMIC_SLEEP checks the context, not the
 * outcome). A task holding a spinlock, inside an RCU-like read side, or inside a
 * non-block section (a non-blockable notifier range) must not sleep: the report is
 * the kernel's "BUG: sleeping function called from invalid context". Execution goes
 * on, as in the kernel, unless the machine is strict.
 *
 * @param what - the primitive, e.g. `mutex_lock(mmap_lock)`.
 */
export function mightSleep(task: Task, what: string, site?: string): void {
  if (task.preemptCount === 0 && task.rcuDepth === 0 && task.nonBlockDepth === 0) return;
  const ctx: string[] = [];
  if (task.preemptCount > 0) ctx.push(`preempt_count ${task.preemptCount}`);
  if (task.rcuDepth > 0) ctx.push(`rcu_read_lock depth ${task.rcuDepth}`);
  if (task.nonBlockDepth > 0) ctx.push(`non-blockable section depth ${task.nonBlockDepth}`);
  task.machine.reportViolation(
    task,
    'might-sleep',
    `sleeping function called from invalid context: ${what} (${ctx.join(', ')})`,
    undefined,
    site,
  );
}

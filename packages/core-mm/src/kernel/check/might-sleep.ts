import type { Task } from '../sched/task.js';

/**
 * `might_sleep()`: every sleeping primitive calls this before it may suspend, whether
 * or not it ends up waiting (CONFIG_DEBUG_ATOMIC_SLEEP checks the context, not the
 * outcome). A task holding a spinlock, inside an RCU-like read side, or inside a
 * non-block section (a non-blockable notifier range) must not sleep: the report is
 * the kernel's "BUG: sleeping function called from invalid context". Neither may an
 * interrupt handler, nor code that turned interrupts off. Execution goes
 * on, as in the kernel, unless the machine is strict.
 *
 * @param op - the primitive, e.g. `mutex_lock`.
 * @param subject - what it works on, e.g. the lock's name; the report reads `op(subject)`.
 *   Passed apart so that nothing is formatted unless something is reported.
 * @param key - an instance index inside the subject (a page lock's frame), shown as `subject[key]`.
 */
export function mightSleep(task: Task, op: string, subject = '', site?: string, key = -1): void {
  if (!task.atomic) return;
  const what = `${op}(${subject}${key >= 0 ? `[${key}]` : ''})`;
  const ctx: string[] = [];
  if (task.preemptCount > 0) ctx.push(`preempt_count ${task.preemptCount}`);
  if (task.rcuDepth > 0) ctx.push(`rcu_read_lock depth ${task.rcuDepth}`);
  if (task.nonBlockDepth > 0) ctx.push(`non-blockable section depth ${task.nonBlockDepth}`);
  if (task.hardirqDepth > 0) ctx.push(`in_interrupt: hardirq depth ${task.hardirqDepth}`);
  if (task.irqsOffDepth > 0) ctx.push('irqs_disabled');
  task.report.report(
    task,
    'might-sleep',
    `sleeping function called from invalid context: ${what} (${ctx.join(', ')})`,
    undefined,
    site,
  );
}

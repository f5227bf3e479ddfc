import { SmmuError } from './errors.js';
import type { Task } from './sched/task.js';
import { ensure } from './util/flow.js';

/**
 * Run `handler` on `task` as a hard-interrupt handler (`irq_enter()` … `irq_exit()`,
 * with interrupts off as on entry to a handler): an atomic context that may not sleep
 * — might-sleep reports any sleeping primitive there as "in_interrupt" — and whose
 * spinlocks lockdep checks for interrupt safety (a lock taken here and elsewhere with
 * interrupts enabled is an "inconsistent lock state"). A contended spinlock may still
 * spin, so the handler may return a Promise; the context ends when it settles.
 *
 * The task is the CPU the interrupt arrived on: a device engine's task for a fault
 * interrupt (the GRU's TLB-miss path), for example. Kernel counterpart:
 * `__handle_irq_event_percpu()` under `irq_enter_rcu()`; differences: no interrupt
 * controller, no nesting rules beyond a depth, and no softirq.
 */
export function runHardirq<T>(task: Task, handler: (task: Task) => T | Promise<T>): T | Promise<T> {
  task.hardirqDepth++;
  task.irqsOffDepth++;
  return ensure(() => handler(task), () => {
    task.irqsOffDepth--;
    task.hardirqDepth--;
  });
}

/**
 * `local_irq_save()`: turn interrupts off on the task's CPU. The task is atomic until
 * the matching {@link localIrqRestore}; spinlocks it takes meanwhile are interrupt-safe.
 */
export function localIrqSave(task: Task): void {
  task.irqsOffDepth++;
}

/** `local_irq_restore()`: undo one {@link localIrqSave}. */
export function localIrqRestore(task: Task): void {
  if (task.irqsOffDepth === 0) throw new SmmuError('EINVAL', `task ${task.name}: localIrqRestore without localIrqSave`);
  task.irqsOffDepth--;
}

import type { Task } from '../sched/task.js';
import type { IrqUsage, Lockable } from './lock-class.js';
import type { Report } from './violation.js';

/**
 * Lockdep's interrupt-safety rule, hardirq half: a spinlock taken in an interrupt
 * handler must never be taken elsewhere with interrupts enabled — the interrupt could
 * arrive on that CPU while the lock is held and spin on it forever. Whichever usage
 * comes second is reported, as the kernel's "inconsistent lock state" splat
 * (`{IN-HARDIRQ-W} -> {HARDIRQ-ON-W}` or the reverse), with where the first was seen.
 * Kernel counterpart: `mark_lock()` / `mark_lock_irq()` in kernel/locking/lockdep.c;
 * differences: hardirq only (no softirq), and read and write usage are not told apart.
 */
export function markIrqUsage(report: Report, task: Task, lock: Lockable, usage: IrqUsage, site: string | undefined): void {
  if (task.hardirqDepth > 0) {
    if (usage.inHardirq !== null) return;
    usage.inHardirq = where(task, site);
    if (usage.hardirqOn !== null) inconsistent(report, task, lock, 'HARDIRQ-ON-W', 'IN-HARDIRQ-W', usage.hardirqOn, site);
  } else if (task.irqsOffDepth === 0) {
    if (usage.hardirqOn !== null) return;
    usage.hardirqOn = where(task, site);
    if (usage.inHardirq !== null) inconsistent(report, task, lock, 'IN-HARDIRQ-W', 'HARDIRQ-ON-W', usage.inHardirq, site);
  }
}

// No stack capture here: every spinlock class sets its first usage once per machine,
// and a capture costs more than the rest of lockdep's work on that acquisition.
function where(task: Task, site: string | undefined): string {
  return site === undefined ? task.name : `${task.name} at ${site}`;
}

function inconsistent(report: Report, task: Task, lock: Lockable, was: string, now: string, first: string, site: string | undefined): void {
  report.report(
    task,
    'inconsistent-lock-state',
    `inconsistent lock state: inconsistent {${was}} -> {${now}} usage of ${lock.name}: taken ${now === 'IN-HARDIRQ-W' ? 'in an interrupt handler' : 'with interrupts enabled'} by ${task.name}, and ${was === 'IN-HARDIRQ-W' ? 'in an interrupt handler' : 'with interrupts enabled'} before`,
    [`{${was}} state was registered by ${first}`, 'possible deadlock: the interrupt arrives on the CPU holding the lock and spins on it'],
    site,
  );
}

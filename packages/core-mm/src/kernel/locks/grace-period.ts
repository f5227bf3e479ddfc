import type { LockContext } from './lock-context.js';
import type { Task } from '../sched/task.js';
import { WaitQueue } from './wait-queue.js';

/**
 * The reader bookkeeping RCU and SRCU share: each read-side section gets a ticket
 * from a rising counter; a grace period started at ticket g ends once no section
 * with a ticket below g is still open. Readers that start later do not hold it up.
 */
export class GracePeriod {
  private readonly open = new Map<number, Task>();
  private nextTicket = 1;
  private readonly waiters: WaitQueue;

  constructor(kernel: LockContext, name: string) {
    this.waiters = new WaitQueue(kernel, `${name} grace period`);
  }

  /** Open a read-side section; the ticket closes it. */
  enter(task: Task): number {
    const ticket = this.nextTicket++;
    this.open.set(ticket, task);
    return ticket;
  }

  /** Whether `ticket` names an open section. */
  isOpen(ticket: number): boolean {
    return this.open.has(ticket);
  }

  /** Close a section; false if the ticket was not open. */
  exit(ticket: number): boolean {
    if (!this.open.delete(ticket)) return false;
    this.waiters.wakeUp();
    return true;
  }

  /** Wait until every section open now has closed (the caller checked might-sleep). */
  wait(task: Task): void | Promise<void> {
    const start = this.nextTicket;
    return this.waiters.waitUntil(task, () => this.oldestOpen() >= start);
  }

  /** Number of open read-side sections. */
  get readers(): number {
    return this.open.size;
  }

  /** The smallest open ticket, or Infinity. */
  private oldestOpen(): number {
    let oldest = Infinity;
    for (const t of this.open.keys()) if (t < oldest) oldest = t;
    return oldest;
  }
}

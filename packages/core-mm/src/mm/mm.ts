import type { Machine } from '../machine.js';
import { RwSemaphore } from '../locks/rwsem.js';
import { SpinLock } from '../locks/spinlock.js';
import { WaitQueue } from '../locks/wait-queue.js';
import type { Task } from '../sched/task.js';
import { PageTable } from './page-table.js';
import type { SecondaryMmuPort } from './port.js';
import { VmaTree } from './vma-tree.js';

/**
 * `struct mm_struct`: an address space — its vmas, its page table, `mmap_lock`, the
 * `page_table_lock` guarding upper page-table levels, and the secondary-MMU port
 * attached by the first notifier registration.
 */
export class Mm {
  readonly id: number;
  readonly machine: Machine;
  /** `mmap_lock` (`mmap_sem` in 2008). */
  readonly mmapLock: RwSemaphore;
  /** `mm->page_table_lock`. */
  readonly pageTableLock: SpinLock;
  readonly pageTable: PageTable;
  readonly vmas = new VmaTree();
  /** The notifier subscriptions' port (`mm->notifier_subscriptions`), or null. */
  secondary: SecondaryMmuPort | null = null;
  /** `mm_users`. */
  users = 1;
  /** Resident pages mapped (anon + file), `get_mm_rss`. */
  rss = 0;
  /** Set once `exit_mmap` has torn the address space down. */
  dead = false;
  /**
   * Notifier brackets begun and not yet ended on this mm, counted whether or not a port
   * is attached. Registration waits for zero ({@link Mm.rangesIdle}): the effect of
   * `mm_take_all_locks()`, which excludes every in-flight bracket (they hold the mmap
   * lock or an rmap lock of one of the mm's vmas) while a notifier is added.
   */
  rangesInFlight = 0;
  /** Woken when {@link Mm.rangesInFlight} drops to zero. */
  readonly rangesIdle: WaitQueue;

  constructor(machine: Machine, id: number) {
    this.machine = machine;
    this.id = id;
    this.mmapLock = new RwSemaphore(machine, 'mmap_lock');
    this.pageTableLock = new SpinLock(machine, 'page_table_lock');
    this.pageTable = new PageTable(machine);
    this.rangesIdle = new WaitQueue(machine, 'mm_take_all_locks');
  }
}

/** A process: an address space and the tasks running in it. */
export class Process {
  readonly pid: number;
  readonly name: string;
  readonly machine: Machine;
  /** Null once the process has exited. */
  mm: Mm | null;
  readonly tasks: Task[] = [];

  constructor(machine: Machine, pid: number, name: string, mm: Mm) {
    this.machine = machine;
    this.pid = pid;
    this.name = name;
    this.mm = mm;
  }

  /** A direct task of this process (`current->mm` set), for plain calls. */
  task(name = `${this.name}/${this.tasks.length}`): Task {
    const t = this.machine.task(name);
    t.mm = this.mm;
    this.tasks.push(t);
    return t;
  }

  /** A scheduled task of this process, run by `machine.sched.run()`. */
  spawn(name: string, body: (task: Task) => unknown): Task {
    const t = this.machine.sched.spawn(name, body);
    t.mm = this.mm;
    this.tasks.push(t);
    return t;
  }
}

import { andThen, ensure, Mutex, PAGE_SIZE, TASK_SIZE, type HmmPfn, type Machine, type Mm, type MmuNotifierRange, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, MmuIntervalNotifier, mmuIntervalNotifierInsert, mmuIntervalNotifierRemove } from '@secondary-mmu/mmu-notifier';
import type { DriverInstance } from '../contract.js';
import { dmirrorRead, dmirrorWrite } from './access.js';
import { dmirrorFault } from './fault.js';
import { dmirrorIntervalInvalidate } from './invalidate.js';
import { MirrorTable } from './mirror-table.js';
import type { DmirrorState } from './state.js';

/** How to open a dmirror. */
export interface DmirrorOptions {
  /** The device's name (its `DeviceMmu` and interval notifier); default `dmirror`. */
  readonly name?: string;
  /** Replace the interval `invalidate` (default {@link dmirrorIntervalInvalidate}): for mutants that test the testkit. */
  readonly invalidate?: (dmirror: DmirrorInstance, task: Task, isub: MmuIntervalNotifier, range: MmuNotifierRange, curSeq: number) => boolean | Promise<boolean>;
  /** Replace the fault's commit step under `dmirror->mutex` (default `dmirrorDoFault`): for mutants that test the testkit. */
  readonly doFault?: (dmirror: DmirrorState, task: Task, start: number, pfns: readonly HmmPfn[]) => void | Promise<void>;
}

/**
 * One open dmirror device mirroring one mm (v6 only: interval notifiers came in 5.5):
 * one `MmuIntervalNotifier` over `[0, TASK_SIZE)`, a {@link MirrorTable} of
 * translations holding no page references, and `dmirror->mutex` serialising the
 * mirror-table users — device accesses, the fault's commit step and `invalidate`.
 * Open it with {@link DmirrorInstance.open} (or the `dmirror` factory).
 *
 * Kernel counterpart: `struct dmirror` — the private data of an open `/dev/hmm_dmirror`
 * file (`dmirror_fops_open` / `dmirror_fops_release`) — and its ioctls.
 */
export class DmirrorInstance implements DriverInstance, DmirrorState {
  readonly machine: Machine;
  readonly mm: Mm;
  readonly name: string;
  /** The device MMU every access goes through (`driverClass: 'no-references'`). */
  readonly device: DeviceMmu;
  /** `dmirror->notifier`. */
  readonly notifier: MmuIntervalNotifier;
  /** `dmirror->mutex`. */
  readonly mutex: Mutex;
  /** `dmirror->pt`. */
  readonly table: MirrorTable;
  /** Device faults taken by reads and writes (`cmd->faults`, summed). */
  faults = 0;
  /** Times the fault loop found `mmuIntervalReadRetry` true and started over. */
  retries = 0;
  /** Non-blockable invalidations answered false because the mutex was held. */
  contendedInvalidations = 0;
  /** Set (under the mutex) by {@link DmirrorInstance.detach}: nothing is installed afterwards. */
  closed = false;
  /** The fault's commit step when {@link DmirrorOptions.doFault} replaced `dmirrorDoFault`. */
  readonly doFault: DmirrorOptions['doFault'];

  private constructor(machine: Machine, mm: Mm, name: string, options: DmirrorOptions) {
    const invalidate = options.invalidate ?? dmirrorIntervalInvalidate;
    this.doFault = options.doFault;
    this.machine = machine;
    this.mm = mm;
    this.name = name;
    this.notifier = new MmuIntervalNotifier({ invalidate: (task, isub, range, curSeq) => invalidate(this, task, isub, range, curSeq) }, name);
    this.device = new DeviceMmu(machine, { name, driverClass: 'no-references', subscription: this.notifier });
    this.mutex = new Mutex(machine, 'dmirror->mutex');
    this.table = new MirrorTable(this.device, mm);
  }

  /**
   * Open a dmirror on `mm` from `task`: insert the interval notifier over the whole
   * address space (which registers the mm for interval notifiers under the mmap write
   * lock the first time). EINVAL outside `v6` or for an exited mm.
   *
   * Kernel counterpart: `dmirror_fops_open()` (`mmu_interval_notifier_insert(&dmirror->notifier,
   * current->mm, 0, ULONG_MAX & PAGE_MASK, &dmirror_min_ops)`).
   */
  static open(task: Task, machine: Machine, mm: Mm, options: DmirrorOptions = {}): DmirrorInstance | Promise<DmirrorInstance> {
    const dm = new DmirrorInstance(machine, mm, options.name ?? 'dmirror', options);
    return andThen(mmuIntervalNotifierInsert(task, dm.notifier, mm, 0, TASK_SIZE), () => dm);
  }

  /** The device reads the word at `address`, faulting it in first if unmapped. Kernel counterpart: `dmirror_read()` (`HMM_DMIRROR_READ`). */
  read(task: Task, address: number): Promise<number> {
    return dmirrorRead(this, task, address);
  }

  /** The device writes `value` at `address`, faulting a writable mapping in first if needed. Kernel counterpart: `dmirror_write()` (`HMM_DMIRROR_WRITE`). */
  write(task: Task, address: number, value: number): Promise<void> {
    return dmirrorWrite(this, task, address, value);
  }

  /** Fault `[start, start + pages · PAGE_SIZE)` in, read-only where the CPU maps it so, without accessing it. Kernel counterpart: `dmirror_fault(dmirror, start, end, false)`. */
  prefetch(task: Task, start: number, pages: number): Promise<void> {
    return dmirrorFault(this, task, start, start + pages * PAGE_SIZE, false);
  }

  /**
   * Close the device: under the mutex mark it closed and erase the whole mirror table,
   * then remove the interval notifier (which waits out an invalidation in progress).
   * The table is emptied before the remove — not after it, as the kernel's `xa_destroy`
   * is — because the model checks for leaked translations when remove returns; `closed`
   * keeps a fault that was already past its retry check from installing anything.
   *
   * Kernel counterpart: `dmirror_fops_release()` (`mmu_interval_notifier_remove`,
   * `xa_destroy`).
   */
  detach(task: Task): void | Promise<void> {
    const erased = andThen(this.mutex.lock(task), () =>
      ensure(
        () => {
          this.closed = true;
          this.table.destroy();
        },
        () => this.mutex.unlock(task),
      ),
    );
    return andThen(erased, () => mmuIntervalNotifierRemove(task, this.notifier));
  }
}

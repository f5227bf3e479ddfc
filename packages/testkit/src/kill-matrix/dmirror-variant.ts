import { allocDriverPage, andThen, freeDriverPage, PAGE_SIZE, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { mmuIntervalSetSeq, type DeviceMmu } from '@secondary-mmu/mmu-notifier';
import { DMIRROR_CAPABILITIES } from '../dmirror/capabilities.js';
import { DmirrorInstance } from '../dmirror/instance.js';
import type { DriverFactory, DriverInstance } from '../contract.js';

/**
 * BUG (kill matrix): a dmirror whose device fault first allocates a device page-table
 * page with `allocDriverPage(…, 'kernel')` — a sleeping allocation that may enter
 * reclaim — while holding `dmirror->mutex`, the lock its `invalidate` takes (and reclaim
 * calls `invalidate` holding `fs_reclaim`): mutex → fs_reclaim here, fs_reclaim → mutex
 * there. Everything else is the reference `DmirrorInstance`. Kernel counterpart: a
 * `GFP_KERNEL` allocation under a lock the notifier takes (use `GFP_ATOMIC`, or allocate
 * before locking).
 */
class AllocUnderMutexDmirror implements DriverInstance {
  readonly device: DeviceMmu;
  readonly mm: Mm;

  constructor(
    private readonly dm: DmirrorInstance,
    private readonly machine: Machine,
  ) {
    this.device = dm.device;
    this.mm = dm.mm;
  }

  private async allocTablePage(task: Task, address: number): Promise<void> {
    if (this.dm.table.load(address - (address % PAGE_SIZE)) !== undefined) return;
    await this.dm.mutex.lock(task);
    try {
      const pfn = await allocDriverPage(this.machine.mem, task, 'kernel');
      freeDriverPage(this.machine.mem, task, pfn);
    } finally {
      await this.dm.mutex.unlock(task);
    }
  }

  async read(task: Task, address: number): Promise<number> {
    await this.allocTablePage(task, address);
    return this.dm.read(task, address);
  }

  async write(task: Task, address: number, value: number): Promise<void> {
    await this.allocTablePage(task, address);
    await this.dm.write(task, address, value);
  }

  detach(task: Task): void | Promise<void> {
    return this.dm.detach(task);
  }
}

/** The dmirror variant above as a factory (`v6`). */
export const dmirrorAllocUnderMutex: DriverFactory = {
  name: 'dmirror-alloc-under-mutex',
  capabilities: DMIRROR_CAPABILITIES,
  eras: ['v6'],
  async attach(task: Task, machine: Machine, mm: Mm) {
    const dm = await DmirrorInstance.open(task, machine, mm, { name: 'dmirror-alloc-under-mutex' });
    return new AllocUnderMutexDmirror(dm, machine);
  },
};

/**
 * BUG (kill matrix): a dmirror whose `invalidate` takes `dmirror->mutex` with a
 * sleeping `lock` even when the range is not blockable (the OOM reaper), instead of
 * `trylock` and answering false. Kernel counterpart: `mutex_lock()` inside
 * `non_block_start()`/`non_block_end()` — "sleeping function called from invalid
 * context" under `CONFIG_DEBUG_ATOMIC_SLEEP`.
 */
export const dmirrorLocksWhenNonBlockable: DriverFactory = {
  name: 'dmirror-locks-when-non-blockable',
  capabilities: DMIRROR_CAPABILITIES,
  eras: ['v6'],
  attach(task: Task, machine: Machine, mm: Mm) {
    return DmirrorInstance.open(task, machine, mm, {
      name: 'dmirror-locks-when-non-blockable',
      invalidate: (dm, t, isub, range, curSeq) =>
        andThen(dm.mutex.lock(t), () => {
          mmuIntervalSetSeq(isub, curSeq);
          dm.table.eraseRange(range.start, range.end);
          return andThen(dm.mutex.unlock(t), () => true);
        }),
    });
  },
};

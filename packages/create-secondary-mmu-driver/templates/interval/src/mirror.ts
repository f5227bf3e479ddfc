// One device mirroring one address space through an interval notifier over all of it,
// as the kernel's test_hmm dmirror does: the device's accesses under its mutex, the
// read_begin / hmm_range_fault / read_retry fault, the invalidate callback, and detach.
import { hmmRangeFault, isSmmuError, Mutex, PAGE_SIZE, SmmuError, TASK_SIZE, type Machine, type Mm, type MmuNotifierRange, type Task } from '@secondary-mmu/core-mm';
import {
  DeviceMmu,
  MmuIntervalNotifier,
  mmuIntervalNotifierInsert,
  mmuIntervalNotifierRemove,
  mmuIntervalReadBegin,
  mmuIntervalReadRetry,
  mmuIntervalSetSeq,
  type DeviceTranslation,
} from '@secondary-mmu/mmu-notifier';

export class IntervalMirror {
  readonly device: DeviceMmu;
  readonly notifier: MmuIntervalNotifier;
  /** Orders invalidations with the fault's install and with device accesses. */
  private readonly lock: Mutex;
  /** detach began: install nothing any more. */
  private closed = false;

  private constructor(
    machine: Machine,
    readonly mm: Mm,
  ) {
    this.notifier = new MmuIntervalNotifier({ invalidate: (task, sub, range, curSeq) => this.invalidate(task, sub, range, curSeq) }, 'interval-mirror');
    // The oracle judges the device by this subscription's invalidations.
    this.device = new DeviceMmu(machine, { name: 'interval-mirror', driverClass: 'no-references', subscription: this.notifier });
    this.lock = new Mutex(machine, 'mirror->lock');
  }

  /** Open the device on `mm`: one interval notifier over the whole user address space. */
  static async open(task: Task, machine: Machine, mm: Mm): Promise<IntervalMirror> {
    const mirror = new IntervalMirror(machine, mm);
    await mmuIntervalNotifierInsert(task, mirror.notifier, mm, 0, TASK_SIZE);
    return mirror;
  }

  read(task: Task, address: number): Promise<number> {
    return this.access(task, address, false, (h) => this.device.read(task, h));
  }

  write(task: Task, address: number, value: number): Promise<void> {
    return this.access(task, address, true, (h) => this.device.write(task, h, value));
  }

  /** Close the device: drop every translation under the lock, then remove the notifier (which waits out an invalidation in progress). */
  async detach(task: Task): Promise<void> {
    if (this.closed) return;
    await this.lock.lock(task);
    this.closed = true;
    this.device.dropAll(this.mm);
    await this.lock.unlock(task);
    await mmuIntervalNotifierRemove(task, this.notifier);
  }

  /**
   * The interval callback: publish `curSeq` and drop the range's translations under the
   * lock. A range that may not block (the OOM reaper) must not sleep on the mutex: it
   * only tries it, and answers false when it is held, so the reaper retries later.
   */
  private async invalidate(task: Task, sub: MmuIntervalNotifier, range: MmuNotifierRange, curSeq: number): Promise<boolean> {
    if (range.blockable) await this.lock.lock(task);
    else if (!this.lock.trylock(task)) return false;
    mmuIntervalSetSeq(sub, curSeq);
    this.device.dropRange(this.mm, range.start, range.end);
    await this.lock.unlock(task);
    return true;
  }

  /** Loop { under the lock: a usable translation? access through it; else unlock and fault the page in }. */
  private async access<T>(task: Task, address: number, write: boolean, use: (h: DeviceTranslation) => T | Promise<T>): Promise<T> {
    if (!Number.isSafeInteger(address) || address < 0 || address >= TASK_SIZE) throw new SmmuError('EFAULT', `interval-mirror: ${String(address)} is not a user address`);
    const page = address - (address % PAGE_SIZE);
    for (;;) {
      if (this.closed) throw new SmmuError('EINVAL', 'interval-mirror: the device was closed');
      await this.lock.lock(task);
      const h = this.device.lookup(this.mm, page);
      if (h !== undefined && (!write || h.writable)) {
        try {
          return await use(h); // under the lock: no invalidate can drop it meanwhile
        } finally {
          await this.lock.unlock(task);
        }
      }
      await this.lock.unlock(task);
      await this.fault(task, page, write);
    }
  }

  /**
   * The device fault: `seq = read_begin`; hmm_range_fault under the mmap read lock with
   * no driver lock; take the lock and install only if `read_retry(seq)` says no
   * invalidation ran meanwhile, else start over. Without the check a fault installs a
   * page an invalidation already dropped.
   */
  private async fault(task: Task, page: number, write: boolean): Promise<void> {
    for (;;) {
      if (this.mm.dead) throw new SmmuError('EFAULT', `interval-mirror: mm ${this.mm.id} has exited`);
      const seq = await mmuIntervalReadBegin(task, this.notifier);
      await this.mm.mmapLock.downRead(task);
      let pfn: { pfn: number; write: boolean };
      try {
        [pfn] = (await hmmRangeFault(this.device.machine.mem, task, this.mm, page, page + PAGE_SIZE, { write })) as [{ pfn: number; write: boolean }];
      } catch (error) {
        if (isSmmuError(error, 'EBUSY')) continue; // an invalidation ran during the walk
        throw error;
      } finally {
        await this.mm.mmapLock.upRead(task);
      }
      await this.lock.lock(task);
      try {
        if (mmuIntervalReadRetry(this.notifier, seq)) continue; // the pfn may be stale: retry
        if (this.closed) return;
        const old = this.device.lookup(this.mm, page); // e.g. the read-only one a write replaces
        if (old !== undefined) this.device.drop(old);
        this.device.establish(task, this.mm, page, pfn.pfn, { writable: pfn.write });
        return;
      } finally {
        await this.lock.unlock(task);
      }
    }
  }
}

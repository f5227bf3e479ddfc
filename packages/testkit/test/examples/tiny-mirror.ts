// A complete third-party secondary-MMU driver, as docs/writing-a-driver.md builds it:
// a device that mirrors pages of one address space without holding page references.
import { getUserPages, PAGE_SIZE, putPage, SmmuError, SpinLock, VM, walkPageTable, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, mmuNotifierUnregister, type DeviceTranslation } from '@secondary-mmu/mmu-notifier';
// In your own package: import type { DriverFactory, DriverInstance } from '@secondary-mmu/testkit';
import type { DriverFactory, DriverInstance } from '../../src/index.js';

class TinyMirror implements DriverInstance {
  readonly device: DeviceMmu;
  readonly mm: Mm;
  private readonly machine: Machine;
  private readonly lock: SpinLock; // like KVM's mmu_lock: legal under the PT lock
  private readonly table = new Map<number, DeviceTranslation>();
  private seq = 0; // bumped by every invalidation's end
  private inProgress = 0; // invalidations between start and end
  readonly notifier: MmuNotifier;

  constructor(machine: Machine, mm: Mm) {
    this.machine = machine;
    this.mm = mm;
    this.lock = new SpinLock(machine, 'tiny->lock');
    this.notifier = new MmuNotifier(
      {
        // Tear down before returning: the VM may free the pages before `end`.
        invalidateRangeStart: (task, _sub, range) => this.locked(task, () => (this.inProgress++, this.zap(range.start, range.end), 0)),
        invalidateRangeEnd: (task) => this.locked(task, () => void (this.seq++, this.inProgress--)),
        // The 2008 eras call this from rmap walks instead of a range.
        invalidatePage: (task, _sub, _mm, address) => this.locked(task, () => void (this.seq++, this.zap(address, address + PAGE_SIZE))),
        release: (task) => this.locked(task, () => this.zap(0, Number.MAX_SAFE_INTEGER)),
      },
      'tiny',
    );
    this.device = new DeviceMmu(machine, { name: 'tiny', driverClass: 'no-references', subscription: this.notifier });
  }

  async read(task: Task, address: number): Promise<number> {
    for (;;) {
      const h = await this.translation(task, address, false);
      try {
        return await this.device.read(task, h);
      } catch (error) {
        if (h.live) throw error; // else zapped while the access waited: a TLB miss, fault again
      }
    }
  }

  async write(task: Task, address: number, value: number): Promise<void> {
    for (;;) {
      const h = await this.translation(task, address, true);
      try {
        return await this.device.write(task, h, value);
      } catch (error) {
        if (h.live) throw error;
      }
    }
  }

  async detach(task: Task): Promise<void> {
    await mmuNotifierUnregister(task, this.notifier, this.mm);
    await this.locked(task, () => this.zap(0, Number.MAX_SAFE_INTEGER));
  }

  /** A live translation for the page, faulting one in: the seq/in-progress retry. */
  private async translation(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    const page = address - (address % PAGE_SIZE);
    for (;;) {
      const h = this.table.get(page);
      if (h !== undefined && h.live && (!write || h.writable)) return h;
      const seq = this.seq;
      const { pfn, writable } = await this.resolve(task, page, write); // may sleep: no lock held
      await this.lock.lock(task);
      // An invalidation ran or runs since `seq` was read: the pfn may be stale.
      const stale = this.inProgress > 0 || this.seq !== seq;
      try {
        if (!stale) {
          const old = this.table.get(page);
          if (old?.live === true) this.device.drop(old);
          this.table.set(page, this.device.establish(task, this.mm, page, pfn, { writable }));
        }
      } finally {
        await this.lock.unlock(task);
      }
      if (stale) await this.machine.sched.sleep(task, 100);
    }
  }

  /** get_user_pages under mmap_lock, then put the page at once: no reference is kept. */
  private async resolve(task: Task, page: number, write: boolean): Promise<{ pfn: number; writable: boolean }> {
    await this.mm.mmapLock.downRead(task);
    try {
      const vma = this.mm.vmas.lookup(page);
      if (vma === undefined || (vma.flags & VM.read) === 0) throw new SmmuError('EFAULT', `tiny: nothing readable at 0x${page.toString(16)}`);
      if (write && (vma.flags & VM.write) === 0) throw new SmmuError('EPERM', `tiny: 0x${page.toString(16)} is not writable`);
      const [pfn] = await getUserPages(this.machine.mem, task, this.mm, page, 1, { write });
      const pte = walkPageTable(this.mm, page);
      putPage(this.machine.mem, task, pfn!);
      return { pfn: pfn!, writable: write && pte !== null && pte.pfn === pfn && pte.write };
    } finally {
      await this.mm.mmapLock.upRead(task);
    }
  }

  private zap(start: number, end: number): void {
    for (const [page, h] of this.table) {
      if (page >= start && page < end) {
        if (h.live) this.device.drop(h);
        this.table.delete(page);
      }
    }
  }

  private locked<T>(task: Task, body: () => T): T | Promise<T> {
    const l = this.lock.lock(task);
    const run = (): T | Promise<T> => {
      const value = body();
      const u = this.lock.unlock(task);
      return u instanceof Promise ? u.then(() => value) : value;
    };
    return l instanceof Promise ? l.then(run) : run();
  }
}

/** The factory the testkit runs: name, declared capabilities, eras, attach. */
export const tinyMirror: DriverFactory = {
  name: 'tiny',
  capabilities: { holdsPageRefs: false, implementsAging: false, mayBlock: false, mayFailStart: false, sharesCpuPageTable: false },
  eras: ['rfc-2008', 'v2.6.27', 'v6'],
  async attach(task, machine, mm) {
    const mirror = new TinyMirror(machine, mm);
    await mmuNotifierRegister(task, mirror.notifier, mm);
    return mirror;
  },
};

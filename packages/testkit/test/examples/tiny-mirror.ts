// A complete third-party secondary-MMU driver, as docs/writing-a-driver.md builds it:
// a device that mirrors pages of one address space without holding page references.
import { andThen, ensure, getUserPages, PAGE_SIZE, putPage, SmmuError, SpinLock, VM, walkPageTable, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, MmuNotifier, mmuNotifierRegister, mmuNotifierUnregister, type DeviceTranslation } from '@secondary-mmu/mmu-notifier';
import { defineDriver, MirrorDriver } from '@secondary-mmu/testkit';

// MirrorDriver gives read/write (retrying a translation zapped mid-access) and detach
// (mark detached, drop every translation, then unregister). The device's translations
// are the mirror table: `device.lookup` finds one, `device.dropRange` zaps.
class TinyMirror extends MirrorDriver {
  private readonly lock: SpinLock; // like KVM's mmu_lock: legal under the PT lock
  private seq = 0; // bumped by every invalidation's end
  private inProgress = 0; // invalidations between start and end
  private released = false; // release ran: the mm is going away
  readonly notifier: MmuNotifier;

  constructor(machine: Machine, mm: Mm) {
    super(new DeviceMmu(machine, { name: 'tiny', driverClass: 'no-references' }), mm);
    this.lock = new SpinLock(machine, 'tiny->lock');
    this.notifier = new MmuNotifier(
      {
        // Tear down before returning: the VM may free the pages before `end`.
        invalidateRangeStart: (task, _sub, range) => this.locked(task, () => (this.inProgress++, this.zap(range.start, range.end), 0)),
        invalidateRangeEnd: (task) => this.locked(task, () => void (this.seq++, this.inProgress--)),
        // The 2008 eras call this from rmap walks instead of a range.
        invalidatePage: (task, _sub, _mm, address) => this.locked(task, () => void (this.seq++, this.zap(address, address + PAGE_SIZE))),
        release: (task) =>
          this.locked(task, () => {
            this.released = true; // a fault in flight must not install after this
            this.zap(0, Number.MAX_SAFE_INTEGER);
          }),
      },
      'tiny',
    );
    this.device.answerFor(this.notifier); // the oracle judges the device by this subscription's callbacks
  }

  protected unregister(task: Task): void | Promise<void> {
    return mmuNotifierUnregister(task, this.notifier, this.mm);
  }

  /** detach's drop, before unregister: under the lock `translate` installs under. */
  protected override dropTranslations(task: Task): void | Promise<void> {
    return this.locked(task, () => this.zap(0, Number.MAX_SAFE_INTEGER));
  }

  /** A live translation for the page, faulting one in: the seq/in-progress retry. */
  protected async translate(task: Task, address: number, write: boolean): Promise<DeviceTranslation> {
    const page = address - (address % PAGE_SIZE);
    for (;;) {
      const h = this.device.lookup(this.mm, page);
      if (h !== undefined && (!write || h.writable)) return h;
      const seq = this.seq;
      const { pfn, writable } = await this.resolve(task, page, write); // may sleep: no lock held
      const installed = await this.locked(task, () => {
        // Closed (detach or release began): an install now would outlive the drop.
        if (this.detached || this.released) throw new SmmuError('EFAULT', `tiny: mm ${this.mm.id} is detached or going away`);
        // An invalidation ran or runs since `seq` was read: the pfn may be stale.
        if (this.inProgress > 0 || this.seq !== seq) return undefined;
        const old = this.device.lookup(this.mm, page); // e.g. the read-only one a write replaces
        if (old !== undefined) this.device.drop(old);
        return this.device.establish(task, this.mm, page, pfn, { writable });
      });
      // Unlocking is a preemption point: an invalidation may have zapped it already.
      if (installed?.live === true) return installed;
      if (installed === undefined) await this.device.machine.sched.sleep(task, 100);
    }
  }

  /** get_user_pages under mmap_lock, then put the page at once: no reference is kept. */
  private async resolve(task: Task, page: number, write: boolean): Promise<{ pfn: number; writable: boolean }> {
    const { mem } = this.device.machine;
    await this.mm.mmapLock.downRead(task);
    try {
      const vma = this.mm.vmas.lookup(page);
      if (vma === undefined || (vma.flags & VM.read) === 0) throw new SmmuError('EFAULT', `tiny: nothing readable at 0x${page.toString(16)}`);
      if (write && (vma.flags & VM.write) === 0) throw new SmmuError('EPERM', `tiny: 0x${page.toString(16)} is not writable`);
      const [pfn] = await getUserPages(mem, task, this.mm, page, 1, { write });
      const pte = walkPageTable(this.mm, page);
      putPage(mem, task, pfn!);
      return { pfn: pfn!, writable: write && pte !== null && pte.pfn === pfn && pte.write };
    } finally {
      await this.mm.mmapLock.upRead(task);
    }
  }

  private zap(start: number, end: number): void {
    this.device.dropRange(this.mm, start, end);
  }

  private locked<T>(task: Task, body: () => T): T | Promise<T> {
    return andThen(this.lock.lock(task), () => ensure(body, () => this.lock.unlock(task)));
  }
}

/** The factory the testkit runs: it declares no capabilities and, by default, every era. */
export const tinyMirror = defineDriver({
  name: 'tiny',
  async attach(task, machine, mm) {
    const mirror = new TinyMirror(machine, mm);
    await mmuNotifierRegister(task, mirror.notifier, mm);
    return mirror;
  },
});

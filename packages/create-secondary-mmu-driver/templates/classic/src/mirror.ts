// One device mirroring one address space: the device's accesses, its fault with the
// seq/in-progress retry, and detach.
import { getUserPages, PAGE_SIZE, putPage, SmmuError, SpinLock, VM, walkPageTable, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, MmuNotifier, mmuNotifierUnregister, type DeviceTranslation } from '@secondary-mmu/mmu-notifier';
import { locked, mirrorOps, type MirrorState } from './notifier.js';
import { MirrorTable } from './table.js';

/** Give up after this many faults lost to invalidations (EAGAIN): a livelock guard. */
const MAX_ATTEMPTS = 1000;

export class ClassicMirror {
  readonly device: DeviceMmu;
  readonly notifier: MmuNotifier;
  private readonly state: MirrorState;
  private detached = false;

  constructor(
    machine: Machine,
    readonly mm: Mm,
  ) {
    this.device = new DeviceMmu(machine, { name: 'classic-mirror', driverClass: 'no-references' });
    const table = new MirrorTable(this.device, mm);
    this.state = { lock: new SpinLock(machine, 'mirror->lock'), table, seq: 0, inProgress: 0, closed: false };
    this.notifier = new MmuNotifier(mirrorOps(this.state, machine.era), 'classic-mirror');
    this.device.answerFor(this.notifier); // the oracle judges the device by this subscription
  }

  /** A device read: through the translation, faulting one in first; a translation zapped meanwhile is a TLB miss. */
  async read(task: Task, address: number): Promise<number> {
    const page = pageOf(address);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const h = this.state.table.get(page) ?? (await this.fault(task, page, false));
      try {
        return await this.device.read(task, h);
      } catch (error) {
        if (h.live) throw error; // a real error, not a zap while the access waited
      }
    }
    throw new SmmuError('EAGAIN', `classic-mirror: read at 0x${address.toString(16)} kept losing its translation`);
  }

  /** A device write: needs a writable translation (a read-only one is upgraded by a write fault). */
  async write(task: Task, address: number, value: number): Promise<void> {
    const page = pageOf(address);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const found = this.state.table.get(page);
      const h = found?.writable === true ? found : await this.fault(task, page, true);
      try {
        await this.device.write(task, h, value);
        return;
      } catch (error) {
        if (h.live && h.writable) throw error;
      }
    }
    throw new SmmuError('EAGAIN', `classic-mirror: write at 0x${address.toString(16)} kept losing its translation`);
  }

  /** Close the device: unregister (which runs release), then zap whatever is left. A second call does nothing. */
  async detach(task: Task): Promise<void> {
    if (this.detached) return;
    this.detached = true;
    await locked(this.state, task, () => void (this.state.closed = true));
    await mmuNotifierUnregister(task, this.notifier, this.mm);
    await locked(this.state, task, () => this.state.table.zapRange(0, Number.MAX_SAFE_INTEGER));
  }

  /**
   * The device fault, with the seq/in-progress retry: read `seq`, resolve the pfn (may
   * sleep: no lock held), take the lock and install only if no invalidation began or
   * ended meanwhile. Without the check a fault installs a page an invalidation missed.
   */
  private async fault(task: Task, page: number, write: boolean): Promise<DeviceTranslation> {
    const { state } = this;
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      if (state.closed) throw closed(page);
      const seq = state.seq;
      const { pfn, writable } = await this.resolve(task, page, write);
      const installed = await locked(state, task, () => {
        if (state.closed) throw closed(page);
        if (state.inProgress > 0 || state.seq !== seq) return undefined; // the pfn may be stale: retry
        return state.table.install(task, page, pfn, writable);
      });
      if (installed !== undefined) return installed;
      await this.device.machine.sched.sleep(task, 100); // let the invalidation reach its end
    }
    throw new SmmuError('EAGAIN', `classic-mirror: fault at 0x${page.toString(16)} raced invalidations ${MAX_ATTEMPTS} times`);
  }

  /** get_user_pages under mmap_lock, then put the page at once: no reference is kept. */
  private async resolve(task: Task, page: number, write: boolean): Promise<{ pfn: number; writable: boolean }> {
    const { mem } = this.device.machine;
    await this.mm.mmapLock.downRead(task);
    try {
      const vma = this.mm.vmas.lookup(page);
      if (vma === undefined || (vma.flags & VM.read) === 0) throw new SmmuError('EFAULT', `classic-mirror: nothing readable at 0x${page.toString(16)}`);
      if (write && (vma.flags & VM.write) === 0) throw new SmmuError('EPERM', `classic-mirror: 0x${page.toString(16)} is not writable`);
      const [pfn] = await getUserPages(mem, task, this.mm, page, 1, { write });
      if (pfn === undefined) throw new SmmuError('EFAULT', `classic-mirror: get_user_pages found nothing at 0x${page.toString(16)}`);
      // Writable only for a write fault: the first device write then faults with FOLL_WRITE (COW broken, page dirtied).
      const pte = walkPageTable(this.mm, page);
      putPage(mem, task, pfn);
      return { pfn, writable: write && pte !== null && pte.pfn === pfn && pte.write };
    } finally {
      await this.mm.mmapLock.upRead(task);
    }
  }
}

function pageOf(address: number): number {
  if (!Number.isSafeInteger(address) || address < 0) throw new SmmuError('EINVAL', `classic-mirror: ${String(address)} is not a user address`);
  return address - (address % PAGE_SIZE);
}

function closed(page: number): SmmuError {
  return new SmmuError('EFAULT', `classic-mirror: fault at 0x${page.toString(16)}: the mirror is closed`);
}

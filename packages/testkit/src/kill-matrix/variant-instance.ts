import { PAGE_SIZE, SmmuError, type Mm, type Task } from '@secondary-mmu/core-mm';
import { mmuNotifierUnregister, type DeviceMmu, type DeviceTranslation, type MmuNotifier } from '@secondary-mmu/mmu-notifier';
import { withMmuLock } from '../classic-mirror/locked.js';
import type { ClassicMirrorState } from '../classic-mirror/state.js';
import type { DriverInstance } from '../contract.js';
import type { ClassicFault } from './buggy-faults.js';

const MAX_ATTEMPTS = 1000;

/**
 * A classic-mirror instance whose device fault is pluggable: `ClassicMirrorInstance`'s
 * access loops (fault when there is no translation, or only a read-only one for a
 * write; fault again when zapped while waiting) around `fault`. Kernel counterpart: a
 * KVM VM, with a (buggy) fault path swapped in.
 */
export class VariantMirrorInstance implements DriverInstance {
  readonly device: DeviceMmu;
  readonly mm: Mm;
  private detached = false;

  constructor(
    private readonly state: ClassicMirrorState,
    /** The registered subscription. */
    readonly subscription: MmuNotifier,
    private readonly fault: ClassicFault,
  ) {
    this.device = state.device;
    this.mm = state.mm;
  }

  /** A device load of the word at `address`. */
  async read(task: Task, address: number): Promise<number> {
    const page = pageOf(address);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const h = this.state.table.get(page) ?? (await this.fault(this.state, task, page, false));
      try {
        return await this.device.read(task, h);
      } catch (error) {
        if (h.live) throw error;
      }
    }
    throw new SmmuError('EAGAIN', `${this.device.name}: read kept losing its translation`);
  }

  /** A device store of `value` at `address`. */
  async write(task: Task, address: number, value: number): Promise<void> {
    const page = pageOf(address);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const found = this.state.table.get(page);
      const h: DeviceTranslation = found?.writable === true ? found : await this.fault(this.state, task, page, true);
      try {
        await this.device.write(task, h, value);
        return;
      } catch (error) {
        if (h.live && h.writable) throw error;
      }
    }
    throw new SmmuError('EAGAIN', `${this.device.name}: write kept losing its translation`);
  }

  /** Unregister, then zap what is left under `mmu_lock`. */
  async detach(task: Task): Promise<void> {
    if (this.detached) return;
    this.detached = true;
    await mmuNotifierUnregister(task, this.subscription, this.mm);
    await withMmuLock(this.state.mmuLock, task, () => {
      this.state.closed = true;
      this.state.table.zapAll();
    });
  }
}

function pageOf(address: number): number {
  return address - (address % PAGE_SIZE);
}

import { andThen, ensure, PAGE_SIZE, runHardirq, SmmuError, type Machine, type Mm, type Task } from '@secondary-mmu/core-mm';
import { DeviceMmu, type DeviceTranslation } from '@secondary-mmu/mmu-notifier';
import { GruContext } from './context.js';
import { gruTryDropin } from './dropin.js';
import type { GruRules } from './flavour.js';
import type { GruMmStruct } from './gms.js';
import type { GruDropinHost } from './host.js';
import type { ResolvedGruDeviceOptions } from './options.js';
import { gruDropMmuNotifier } from './register.js';
import { emptyGruTlbStats, type GruTlbStats } from './stats.js';
import { gruUserDropin } from './user-dropin.js';

/** Accesses after which a device access gives up with EAGAIN (its entry kept being flushed). Kernel counterpart: none (the model's livelock guard). */
export const GRU_MAX_ACCESS_ATTEMPTS = 1000;

/**
 * One open GRU device on an mm: its contexts (each an ASID and a small LRU TLB), the
 * counters, and the device's engine accesses (`read`, `write`), which go through the
 * TLB of the context of the task issuing them. A hit accesses memory through the
 * entry; a miss is a TLB-miss interrupt whose handler (`runHardirq`) tries the dropin
 * with the no-reference walk, and hands what it cannot do to the user path. Device
 * accesses never set the CPU PTE's accessed bit: the GRU has no aging, so reclaim
 * sees a page the device keeps using as idle.
 *
 * Kernel counterpart: a task's GRU contexts (`struct gru_thread_state`s of one mm
 * through a GSEG mapping) and the fault path of drivers/misc/sgi-gru/grufault.c
 * (`gru_intr()` → `gru_try_dropin()`, `gru_user_dropin()`); `detach` is closing them
 * (`gru_unload_context()`, `gru_drop_mmu_notifier()`).
 */
export class GruInstance implements GruDropinHost {
  readonly device: DeviceMmu;
  readonly stats: GruTlbStats = emptyGruTlbStats();
  /** The contexts, each a task's when it first issues an access (round robin). */
  readonly contexts: readonly GruContext[];
  /** Closed by {@link GruInstance.detach}. */
  detached = false;
  private readonly byTask = new Map<Task, GruContext>();

  constructor(
    machine: Machine,
    readonly mm: Mm,
    readonly gms: GruMmStruct,
    readonly rules: GruRules,
    options: ResolvedGruDeviceOptions,
    name: string,
  ) {
    this.device = new DeviceMmu(machine, { name, driverClass: 'no-references' });
    this.device.answerFor(gms.notifier);
    this.contexts = Array.from({ length: options.contexts }, (_, i) => new GruContext(i, this.device, options.tlbSize, gms.assignAsid()));
    gms.targets.add(this);
  }

  /** The context `task`'s accesses use (given on its first access). Kernel counterpart: `gru_find_thread_state()` / `gru_alloc_gts()`. */
  contextFor(task: Task): GruContext {
    let ctx = this.byTask.get(task);
    if (ctx === undefined) this.byTask.set(task, (ctx = this.contexts[this.byTask.size % this.contexts.length]!));
    return ctx;
  }

  /** A device engine load of the word at `address` through the TLB. EFAULT when nothing readable is mapped there. */
  read(task: Task, address: number): Promise<number> {
    return this.access(task, address, false, (h) => this.device.read(task, h));
  }

  /** A device engine store of `value` at `address`. EFAULT when nothing is mapped there, EPERM when the mapping is not writable. */
  write(task: Task, address: number, value: number): Promise<void> {
    return this.access(task, address, true, (h) => this.device.write(task, h, value));
  }

  /** Drop in `pages` pages from `start`, read-only, without accessing them (a prefetch; the scenarios' `device-prefetch`). Kernel counterpart: none. */
  async prefetch(task: Task, start: number, pages: number): Promise<void> {
    const ctx = this.contextFor(task);
    const first = pageOf(start);
    for (let i = 0; i < pages; i++) {
      const page = first + i * PAGE_SIZE;
      if (ctx.tlb.lookup(page, false) === undefined) await this.miss(task, ctx, page, false);
    }
  }

  /**
   * Close the device: unload every context (its TLB entries go, under `ms_asid_lock`),
   * stop flushes from reaching it, wake the user path, then drop the gms
   * (`mmuNotifierPut` in `v6`, an unregister in the 2008 eras unless `release` ran). A
   * second call does nothing. Kernel counterpart: `gru_unload_context()` then
   * `gru_drop_mmu_notifier()` (from `gts_drop()`).
   */
  async detach(task: Task): Promise<void> {
    if (this.detached) return;
    this.detached = true;
    const { gms } = this;
    await andThen(gms.asidLock.lock(task), () =>
      ensure(
        () => {
          for (const ctx of this.contexts) ctx.dropAsid(gms.assignAsid());
          gms.targets.delete(this);
        },
        () => gms.asidLock.unlock(task),
      ),
    );
    gms.waitQueue.wakeUp();
    await gruDropMmuNotifier(task, gms);
  }

  private async access<T>(task: Task, address: number, write: boolean, op: (h: DeviceTranslation) => T | Promise<T>): Promise<T> {
    const page = pageOf(address);
    const ctx = this.contextFor(task);
    let missed = false;
    for (let i = 0; i < GRU_MAX_ACCESS_ATTEMPTS; i++) {
      if (this.detached) throw new SmmuError('EFAULT', `${this.device.name}: access at 0x${address.toString(16)}: the device is closed`);
      const h = ctx.tlb.lookup(page, write);
      if (h === undefined) {
        this.stats.misses++;
        missed = true;
        await this.miss(task, ctx, page, write);
        continue;
      }
      if (!missed) this.stats.hits++;
      try {
        return await op(h);
      } catch (error) {
        if (h.live && (!write || h.writable)) throw error; // flushed while the access waited: a miss
      }
    }
    throw new SmmuError('EAGAIN', `${this.device.name}: access at 0x${address.toString(16)} kept losing its TLB entry`);
  }

  /** A TLB miss: the interrupt handler's dropin, then the user path if it could not. */
  private async miss(task: Task, ctx: GruContext, page: number, write: boolean): Promise<void> {
    const fault = ctx.readFault(page, write);
    const outcome = await runHardirq(task, (irq) => gruTryDropin(irq, this, fault, true));
    if (outcome === 'user') await gruUserDropin(task, this, ctx, page, write);
  }
}

function pageOf(address: number): number {
  if (!Number.isSafeInteger(address) || address < 0) throw new SmmuError('EINVAL', `gru: ${String(address)} is not a user address`);
  return address - (address % PAGE_SIZE);
}

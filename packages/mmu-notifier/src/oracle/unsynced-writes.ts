import type { MmEvent, Task } from '@secondary-mmu/core-mm';
import type { JudgedTranslation } from './judged-translation.js';
import type { OracleContext } from './oracle-context.js';
import { hex } from './page-map.js';

interface Unsynced {
  generation: number;
  task: Task;
  handle: JudgedTranslation;
  value: number;
  time: number;
}

/**
 * @internal The lost-write rule for dirty state a driver never propagated. The last
 * device write to a page-cache page (file or shmem: anonymous pages are left out,
 * because the model always stores an anonymous page's word in its swap slot, dirty or
 * not) stays *unsynced* until a writeback of that frame generation stores the content
 * (the observation face's `clean` event). If a reclaim scan drops the page from its
 * cache (`scan` with verdict `freed`, same generation) while the last device write is
 * still unsynced, the page went clean although the device had written it: nobody
 * called `setPageDirty`, so the write never reached the file — a `lost-write`. (A page
 * with `PG_dirty` set is never dropped clean, so any propagation, early or at
 * teardown, keeps the rule quiet.) Frees that are not reclaim drops (truncate, hole
 * punch, unmap of anonymous memory) discard data on purpose and are not reported.
 * Kernel counterpart: none — the kernel relies on `set_page_dirty()` in the driver
 * (KVM's `kvm_set_pfn_dirty`, `unpin_user_pages_dirty_lock`).
 */
export class UnsyncedWrites {
  private readonly byPfn = new Map<number, Unsynced>();

  constructor(private readonly oracle: OracleContext) {}

  onWrite(task: Task, h: JudgedTranslation, value: number): void {
    const mem = this.oracle.machine.mem;
    if (
      mem.isAnon(h.pfn) ||
      // Stryker disable next-line ConditionalExpression: the zero page is never reclaimed, so an entry for it is never reported
      h.pfn === mem.allocator.zeroPfn ||
      h.state.bornFree ||
      mem.frames.generation[h.pfn] !== h.generation
    )
      return;
    const u = this.byPfn.get(h.pfn);
    if (u === undefined) {
      this.byPfn.set(h.pfn, { generation: h.generation, task, handle: h, value, time: this.oracle.machine.clock.now });
      return;
    }
    u.generation = h.generation;
    u.task = task;
    u.handle = h;
    u.value = value;
    u.time = this.oracle.machine.clock.now;
  }

  onEvent(e: MmEvent): void {
    if (this.byPfn.size === 0) return;
    switch (e.kind) {
      case 'clean': {
        const u = this.byPfn.get(e.pfn);
        if (
          u !== undefined &&
          // Stryker disable next-line ConditionalExpression: frame-alloc dropped any entry of an older generation, and no entry is of a newer one
          u.generation === e.generation
        )
          this.byPfn.delete(e.pfn);
        return;
      }
      // Stryker disable next-line ConditionalExpression,BlockStatement,StringLiteral: only frees memory; an entry of an older generation never matches a clean or a scan, which both compare generations
      case 'frame-alloc': {
        const u = this.byPfn.get(e.pfn);
        if (
          u !== undefined &&
          // Stryker disable next-line ConditionalExpression,EqualityOperator: a frame allocated again has a new generation, so any entry of it is older; deleting it or not only changes memory
          u.generation !== e.generation
        )
          this.byPfn.delete(e.pfn);
        return;
      }
      case 'scan': {
        if (e.verdict !== 'freed') return;
        const u = this.byPfn.get(e.pfn);
        if (
          u === undefined ||
          // Stryker disable next-line ConditionalExpression: frame-alloc dropped any entry of an older generation, and no entry is of a newer one
          u.generation !== e.generation
        )
          return;
        this.byPfn.delete(e.pfn);
        this.oracle.report(
          u.task,
          'lost-write',
          `${u.handle.device.name}: write of ${hex(u.value)} to pfn ${e.pfn} at ${u.time} ns never reached storage: the page was not marked dirty (setPageDirty) after the device wrote it, so reclaim dropped it clean`,
          [u.handle.toString()],
        );
        return;
      }
      // Stryker disable next-line ConditionalExpression: unreachable, the oracle forwards only the three kinds above
      default:
        return;
    }
  }
}

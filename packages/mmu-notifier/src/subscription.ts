import type { Mm } from '@secondary-mmu/core-mm';
import type { MmuNotifierOps } from './ops.js';

/**
 * `struct mmu_notifier`: one subscription of a secondary MMU to one mm. Drivers make
 * one per address space they mirror (or let `mmuNotifierGet` make it through
 * `allocNotifier`), then `mmuNotifierRegister` it. The `name` names the driver in
 * violations and traces.
 */
export class MmuNotifier {
  readonly ops: MmuNotifierOps;
  readonly name: string;
  /** `subscription->mm`: set by registration, kept after unregister (the kernel keeps an mm_count). */
  mm: Mm | null = null;
  /** `subscription->users`: references from `mmuNotifierGet` (1 after a plain register). */
  users = 0;
  /** On its mm's list: `!hlist_unhashed(&subscription->hlist)`. */
  listed = false;
  /** Set once `freeNotifier` ran (after the last put and a grace period). */
  freed = false;

  constructor(ops: MmuNotifierOps, name = 'mmu_notifier') {
    this.ops = ops;
    this.name = name;
  }
}

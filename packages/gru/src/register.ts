import type { Machine, Mm, Task } from '@secondary-mmu/core-mm';
import { mmuNotifierGet, mmuNotifierPut, mmuNotifierRegister, mmuNotifierUnregister, subscriptionsOf, type MmuNotifierOps } from '@secondary-mmu/mmu-notifier';
import type { GruRules } from './flavour.js';
import { GruMmStruct } from './gms.js';
import { GRU_NAME, gruMmuOps } from './notifier-ops.js';

// One ops table per machine and rule set: the kernel's single static `gru_mmuops`,
// which is how mmu_notifier_get (and 2.6.27's mmu_find_ops) find the mm's gms.
const opsByMachine = new WeakMap<Machine, Map<GruRules, MmuNotifierOps>>();

function opsFor(machine: Machine, rules: GruRules): MmuNotifierOps {
  let byRules = opsByMachine.get(machine);
  if (byRules === undefined) opsByMachine.set(machine, (byRules = new Map<GruRules, MmuNotifierOps>()));
  let ops = byRules.get(rules);
  if (ops === undefined) byRules.set(rules, (ops = gruMmuOps(machine, rules)));
  return ops;
}

/**
 * The gms of `mm`, registering it on first use, one more user otherwise. `v6`:
 * `mmuNotifierGet` (which allocates through `allocNotifier`). 2008 eras: find the
 * listed subscription with the GRU's ops and count a reference, else register a new
 * one. Kernel counterpart: `gru_register_mmu_notifier()` (`mmu_notifier_get()` since
 * 5.4; `mmu_find_ops()` + `ms_refcnt` + `__mmu_notifier_register()` before).
 */
export async function gruRegisterMmuNotifier(task: Task, machine: Machine, mm: Mm, rules: GruRules): Promise<GruMmStruct> {
  const ops = opsFor(machine, rules);
  if (machine.era === 'v6') return GruMmStruct.of(await mmuNotifierGet(task, ops, mm));
  const listed = subscriptionsOf(mm)?.list.find((sub) => sub.ops === ops);
  if (listed !== undefined) {
    const gms = GruMmStruct.of(listed);
    gms.refs++;
    return gms;
  }
  const gms = new GruMmStruct(machine, mm, ops, GRU_NAME);
  await mmuNotifierRegister(task, gms.notifier, mm);
  gms.refs = 1;
  return gms;
}

/**
 * Drop one user of `gms`. `v6`: `mmuNotifierPut` (the last unlists it, no `release`,
 * and frees it after a grace period). 2008 eras: the last reference unregisters unless
 * `release` already ran. Kernel counterpart: `gru_drop_mmu_notifier()`.
 */
export async function gruDropMmuNotifier(task: Task, gms: GruMmStruct): Promise<void> {
  if (gms.machine.era === 'v6') {
    await mmuNotifierPut(task, gms.notifier);
    return;
  }
  if (--gms.refs === 0 && !gms.released) await mmuNotifierUnregister(task, gms.notifier, gms.mm);
}

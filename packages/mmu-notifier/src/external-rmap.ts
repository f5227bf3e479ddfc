import { andThen, ensure, exportPage, SmmuError, type ExternalRmapPort, type Machine, type Task } from '@secondary-mmu/core-mm';
import { notifierCore, type NotifierCore } from './core.js';
import { each } from './each.js';

/** The rfc-2008 external-rmap notifier's one callback. */
export interface MmuRmapNotifierOps {
  /**
   * `invalidate_page(mrn, page)`: the VM is unmapping (`try_to_unmap`) or cleaning
   * (`page_mkclean`) page `pfn`, which this driver exported; drop every remote mapping
   * of it. Called after the Linux rmap walk with only the page lock held, so it may sleep
   * (waiting for remote acknowledgements, as XPMEM does).
   */
  invalidatePage: (task: Task, notifier: MmuRmapNotifier, pfn: number) => void | Promise<void>;
}

/**
 * `struct mmu_rmap_notifier` of the rfc-2008 series: a machine-wide, page-keyed hook SGI
 * designed for XPMEM. It never reached mainline (Arcangeli objected to a physical-page
 * hook inside `try_to_unmap`), so it exists only in the `rfc-2008` era.
 */
export class MmuRmapNotifier {
  readonly ops: MmuRmapNotifierOps;
  readonly name: string;
  listed = false;

  constructor(ops: MmuRmapNotifierOps, name = 'mmu_rmap_notifier') {
    this.ops = ops;
    this.name = name;
  }
}

/** The machine's `mmu_rmap_notifier_list`, installed as core-mm's external-rmap port. */
class RmapNotifierList implements ExternalRmapPort {
  readonly list: MmuRmapNotifier[] = [];
  constructor(readonly core: NotifierCore) {}

  invalidatePage(task: Task, pfn: number): void | Promise<void> {
    if (this.list.length === 0) return;
    const ticket = this.core.readLock(task);
    return ensure(
      () =>
        each(this.list.slice(), (rn) =>
          rn.listed ? this.core.invoke(task, rn, 'rmap_invalidate_page', { mm: null, start: -1, end: -1, pfn, event: null, blockable: true }, undefined, () => rn.ops.invalidatePage(task, rn, pfn)) : undefined,
        ),
      () => this.core.readUnlock(task, ticket),
    );
  }
}

function rmapList(machine: Machine, what: string): RmapNotifierList {
  if (machine.era !== 'rfc-2008') throw new SmmuError('EINVAL', `${what}: the ${machine.era} era has no external-rmap notifier (only the rfc-2008 series had it)`);
  return machine.extension('@secondary-mmu/mmu-notifier:rmap', (m) => {
    const list = new RmapNotifierList(notifierCore(m));
    m.mem.externalRmap = list;
    return list;
  });
}

/** `mmu_rmap_notifier_register()`: add `notifier` to the machine's list (rfc-2008 only; `EINVAL` elsewhere or if already listed). */
export function mmuRmapNotifierRegister(machine: Machine, notifier: MmuRmapNotifier): void {
  const list = rmapList(machine, 'mmu_rmap_notifier_register');
  if (notifier.listed) throw new SmmuError('EINVAL', `mmu_rmap_notifier_register: ${notifier.name} is already registered`);
  notifier.listed = true;
  list.list.unshift(notifier);
  list.core.lifecycle('registered', notifier, null, null);
}

/** `mmu_rmap_notifier_unregister()`: unlist, then wait until no `invalidatePage` of it runs. A sleeping call. */
export function mmuRmapNotifierUnregister(task: Task, machine: Machine, notifier: MmuRmapNotifier): void | Promise<void> {
  const list = rmapList(machine, 'mmu_rmap_notifier_unregister');
  if (!notifier.listed) throw new SmmuError('EINVAL', `mmu_rmap_notifier_unregister: ${notifier.name} is not registered`);
  notifier.listed = false;
  list.list.splice(list.list.indexOf(notifier), 1);
  list.core.lifecycle('unlisted', notifier, null, task);
  return andThen(list.core.synchronize(task), () => list.core.lifecycle('unregistered', notifier, null, task));
}

/**
 * `mmu_rmap_export_page()`: mark page `pfn` exported (`PageExternalRmap`) so reclaim and
 * writeback call the external-rmap notifiers for it. The caller holds the page lock.
 */
export function mmuRmapExportPage(task: Task, machine: Machine, pfn: number): void {
  rmapList(machine, 'mmu_rmap_export_page');
  exportPage(machine.mem, task, pfn);
}

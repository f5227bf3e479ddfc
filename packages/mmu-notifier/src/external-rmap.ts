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

const KEY = '@secondary-mmu/mmu-notifier:rmap';
const RMAP_BRAND = '@secondary-mmu/mmu-notifier:rmap-list';

/** The machine's `mmu_rmap_notifier_list`, installed as core-mm's external-rmap port. */
class RmapNotifierList implements ExternalRmapPort {
  /** Identifies the list on `mem.externalRmap` across copies of this package (no `instanceof`). */
  readonly brand = RMAP_BRAND;
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

function requireEra(machine: Machine, what: string): void {
  if (machine.era !== 'rfc-2008') throw new SmmuError('EINVAL', `${what}: the ${machine.era} era has no external-rmap notifier (only the rfc-2008 series had it)`);
}

/** The machine's list, installed as core-mm's external-rmap port on first use (after the caller validated). */
function rmapList(machine: Machine): RmapNotifierList {
  return machine.extension(KEY, (m) => {
    const list = new RmapNotifierList(notifierCore(m));
    m.mem.externalRmap = list;
    return list;
  });
}

/** `mmu_rmap_notifier_register()`: add `notifier` to the machine's list (rfc-2008 only; `EINVAL` elsewhere or if already listed). */
export function mmuRmapNotifierRegister(machine: Machine, notifier: MmuRmapNotifier): void {
  requireEra(machine, 'mmu_rmap_notifier_register');
  if (notifier.listed) throw new SmmuError('EINVAL', `mmu_rmap_notifier_register: ${notifier.name} is already registered`);
  const list = rmapList(machine);
  notifier.listed = true;
  list.list.unshift(notifier);
  list.core.lifecycle('registered', notifier, null, null);
}

/**
 * `mmu_rmap_notifier_unregister()`: unlist, then wait until no `invalidatePage` of it
 * runs. A sleeping call. `EINVAL` (nothing changed) if it is not registered on `machine`.
 */
export function mmuRmapNotifierUnregister(task: Task, machine: Machine, notifier: MmuRmapNotifier): void | Promise<void> {
  requireEra(machine, 'mmu_rmap_notifier_unregister');
  const port = machine.mem.externalRmap as Partial<RmapNotifierList> | null;
  const list = port !== null && port.brand === RMAP_BRAND ? (port as RmapNotifierList) : null;
  const i = list === null ? -1 : list.list.indexOf(notifier);
  if (list === null || i < 0) throw new SmmuError('EINVAL', `mmu_rmap_notifier_unregister: ${notifier.name} is not registered on this machine`);
  notifier.listed = false;
  list.list.splice(i, 1);
  list.core.lifecycle('unlisted', notifier, null, task);
  return andThen(list.core.synchronize(task), () => list.core.lifecycle('unregistered', notifier, null, task));
}

/**
 * `mmu_rmap_export_page()`: mark page `pfn` exported (`PageExternalRmap`) so reclaim and
 * writeback call the external-rmap notifiers for it. The caller holds the page lock
 * (`EINVAL` otherwise, nothing changed).
 */
export function mmuRmapExportPage(task: Task, machine: Machine, pfn: number): void {
  requireEra(machine, 'mmu_rmap_export_page');
  exportPage(machine.mem, task, pfn);
  rmapList(machine);
}

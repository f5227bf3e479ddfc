import type { Machine, Mm } from '@secondary-mmu/core-mm';
import type { MmuRmapNotifier } from '@secondary-mmu/mmu-notifier';
import { XpmemFabric } from './fabric/fabric.js';
import type { XpmemPartition } from './fabric/partition.js';
import type { ResolvedXpmemOptions } from './options.js';
import type { XpmemSegment } from './segment.js';
import { emptyXpmemStats, type XpmemStats } from './stats.js';

/**
 * One XPMEM driver on one machine: its fabric, the owners' partitions (one per
 * exporting mm), the segments, the rfc-2008 external-rmap notifier once one is needed,
 * and the counters. Every factory has its own on each machine. Kernel counterpart: the
 * xpmem module's global state (`struct xpmem_partition`, `xpmem_my_part`), across
 * every partition of the SGI machine.
 */
export class XpmemDriver {
  readonly fabric: XpmemFabric;
  readonly stats: XpmemStats = emptyXpmemStats();
  readonly segments: XpmemSegment[] = [];
  /** rfc-2008 start mode: the machine-wide external-rmap notifier, registered with the first segment. */
  rmapNotifier: MmuRmapNotifier | null = null;
  private readonly owners = new Map<Mm, XpmemPartition>();
  private nextSegid = 1;
  private importers = 0;

  constructor(
    readonly machine: Machine,
    readonly name: string,
    readonly options: ResolvedXpmemOptions,
  ) {
    this.fabric = new XpmemFabric(machine, options.fabric);
  }

  /** The partition that owns `mm`'s segments (made on first use). */
  ownerPartition(mm: Mm): XpmemPartition {
    let p = this.owners.get(mm);
    if (p === undefined) this.owners.set(mm, (p = this.fabric.partition(`${this.name}:owner-mm${mm.id}`)));
    return p;
  }

  /** A new importer partition. */
  importerPartition(): XpmemPartition {
    return this.fabric.partition(`${this.name}:importer${this.importers++}`);
  }

  /** The next segment id (`segid`). */
  segid(): number {
    return this.nextSegid++;
  }
}

const drivers = new WeakMap<Machine, WeakMap<object, XpmemDriver>>();

/**
 * The driver of factory `key` on `machine`, made on first use. Kernel counterpart:
 * none (module load).
 */
export function xpmemDriverOf(machine: Machine, key: object, name: string, options: ResolvedXpmemOptions): XpmemDriver {
  let byKey = drivers.get(machine);
  if (byKey === undefined) drivers.set(machine, (byKey = new WeakMap()));
  let d = byKey.get(key);
  if (d === undefined) byKey.set(key, (d = new XpmemDriver(machine, name, options)));
  return d;
}

import { builtinDriver } from './builtin.js';
import { driverStatsCounters, statsCounters } from './counters.js';
import type { DriverEntry } from './types.js';

const testkit = () => import('@secondary-mmu/testkit');
const killMatrix = () => import('@secondary-mmu/testkit/kill-matrix').then((m) => m.KILL_MATRIX);
const TESTKIT = { module: '@secondary-mmu/testkit', load: testkit, variants: killMatrix } as const;
const mirrorCounters = statsCounters({ deviceFaults: ['faults'], retries: ['retries'] });
const kvmVariants = () => import('@secondary-mmu/kvm-spte/variants').then((m) => m.KVM_SPTE_VARIANTS);
const xpmemCounters = driverStatsCounters({ deviceFaults: ['faults'], retries: ['faultRetries'] });
const kvmCounters = statsCounters({ tlbFlushes: ['flushes'], deviceFaults: ['faults'], retries: ['retries'] });

/**
 * The drivers `--driver <name>` knows, in listing order: the testkit's reference drivers,
 * then the driver packages. A new driver package joins with one entry here (its module
 * and `DriverFactory` export, literal imports of it and of its variants' list, and which
 * `stats` fields are its counters) and a dependency in package.json. Kernel counterpart: none.
 */
export const BUILTIN_DRIVERS: readonly DriverEntry[] = Object.freeze([
  builtinDriver({ ...TESTKIT, name: 'dmirror', export: 'dmirror', description: "lib/test_hmm.c's mirror: an interval notifier, hmm_range_fault, -EAGAIN when not blockable (v6)" }),
  builtinDriver({ ...TESTKIT, name: 'classic-mirror', export: 'classicMirror', description: 'the classic start/end mirror, KVM-like without references, in every era', counters: mirrorCounters }),
  builtinDriver({ ...TESTKIT, name: 'acking-mirror', export: 'ackingMirror', description: 'the classic mirror waiting for a remote acknowledgement in its invalidations (may sleep; v6)', counters: mirrorCounters }),
  builtinDriver({ ...TESTKIT, name: 'sva', export: 'svaMirror', description: 'an IOMMU SVA device sharing the CPU page table, flushed by arch_invalidate_secondary_tlbs (v6)' }),
  builtinDriver({ ...TESTKIT, name: 'odp', export: 'odpMirror', description: 'RDMA on-demand paging: one interval notifier per memory region (v6)' }),
  builtinDriver({ name: 'kvm-spte', module: '@secondary-mmu/kvm-spte', export: 'kvmSpte', load: () => import('@secondary-mmu/kvm-spte'), variants: kvmVariants, description: "KVM's TDP MMU today: memslots, sptes with A/D bits, no page references, the invalidate-seq fault retry (v6)", counters: kvmCounters }),
  builtinDriver({ name: 'kvm-spte-refs-per-spte', module: '@secondary-mmu/kvm-spte', export: 'kvmSpteHoldingRefs', load: () => import('@secondary-mmu/kvm-spte'), variants: kvmVariants, description: 'KVM as in 2.6.27-2.6.31: a page reference per spte, put when the spte goes (every era)', counters: kvmCounters }),
  builtinDriver({ name: 'xpmem', module: '@secondary-mmu/xpmem-messaging', export: 'xpmem', load: () => import('@secondary-mmu/xpmem-messaging'), description: 'XPMEM across partitions over a message fabric: owners pin, importers map remotely, the recall sleeps until every importer acknowledges (rfc-2008, v6)', counters: xpmemCounters }),
  builtinDriver({ name: 'xpmem-2.6.27', module: '@secondary-mmu/xpmem-messaging/variants', export: 'xpmemV2627', load: () => import('@secondary-mmu/xpmem-messaging/variants'), description: 'the same recall on 2.6.27, whose callbacks may not sleep: what the 2008 thread argued about (v2.6.27)', counters: xpmemCounters, historical: '2.6.27 had no sleepable hook: the recall sleeps in atomic context (might-sleep)' }),
  builtinDriver({ name: 'gru', module: '@secondary-mmu/gru', export: 'gru', load: () => import('@secondary-mmu/gru'), variants: () => import('@secondary-mmu/gru/variants').then((m) => m.GRU_VARIANTS), description: 'SGI GRU: a TLB-only device with contexts, interrupt and user TLB dropins, per era', counters: statsCounters({ tlbFlushes: ['flushes'], deviceFaults: ['misses'], retries: ['failedDropins', 'discardedDropins'] }) }),
]);

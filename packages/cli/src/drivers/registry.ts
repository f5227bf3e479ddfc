import { builtinDriver } from './builtin.js';
import { statsCounters } from './counters.js';
import type { DriverEntry } from './types.js';

const KILL_MATRIX = { module: '@secondary-mmu/testkit/kill-matrix', export: 'KILL_MATRIX' } as const;

/**
 * The drivers `--driver <name>` knows, in listing order: the testkit's reference drivers,
 * then the driver packages. A new driver package joins with one entry here (its module,
 * its `DriverFactory` export, its variants' list and which `stats` fields are its
 * counters) and a dependency in package.json. Kernel counterpart: none.
 */
export const BUILTIN_DRIVERS: readonly DriverEntry[] = Object.freeze([
  builtinDriver({ name: 'dmirror', description: "lib/test_hmm.c's mirror: an interval notifier, hmm_range_fault, -EAGAIN when not blockable (v6)", module: '@secondary-mmu/testkit', export: 'dmirror', variants: KILL_MATRIX }),
  builtinDriver({ name: 'classic-mirror', description: 'the classic start/end mirror, KVM-like without references, in every era', module: '@secondary-mmu/testkit', export: 'classicMirror', variants: KILL_MATRIX, counters: statsCounters({ deviceFaults: ['faults'], retries: ['retries'] }) }),
  builtinDriver({ name: 'acking-mirror', description: 'the classic mirror waiting for a remote acknowledgement in its invalidations (may sleep; v6)', module: '@secondary-mmu/testkit', export: 'ackingMirror', variants: KILL_MATRIX, counters: statsCounters({ deviceFaults: ['faults'], retries: ['retries'] }) }),
  builtinDriver({ name: 'sva', description: 'an IOMMU SVA device sharing the CPU page table, flushed by arch_invalidate_secondary_tlbs (v6)', module: '@secondary-mmu/testkit', export: 'svaMirror', variants: KILL_MATRIX }),
  builtinDriver({ name: 'odp', description: 'RDMA on-demand paging: one interval notifier per memory region (v6)', module: '@secondary-mmu/testkit', export: 'odpMirror', variants: KILL_MATRIX }),
  builtinDriver({ name: 'kvm-spte', description: 'KVM shadow/TDP page tables: memslots, sptes with A/D bits, the invalidate-seq fault retry, per era', module: '@secondary-mmu/kvm-spte', export: 'kvmSpte', variants: { module: '@secondary-mmu/kvm-spte/variants', export: 'KVM_SPTE_VARIANTS' }, counters: statsCounters({ tlbFlushes: ['flushes'], deviceFaults: ['faults'], retries: ['retries'] }) }),
  builtinDriver({ name: 'gru', description: 'SGI GRU: a TLB-only device with contexts, interrupt and user TLB dropins, per era', module: '@secondary-mmu/gru', export: 'gru', variants: { module: '@secondary-mmu/gru/variants', export: 'GRU_VARIANTS' }, counters: statsCounters({ tlbFlushes: ['flushes'], deviceFaults: ['misses'], retries: ['failedDropins', 'discardedDropins'] }) }),
]);

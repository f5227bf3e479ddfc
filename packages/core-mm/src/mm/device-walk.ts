import { PAGE_SIZE, PTRS_PER_TABLE } from './layout.js';
import type { Mm } from './mm-types.js';
import { PTE } from './pte.js';

/**
 * A device access through a TLB that shares the CPU page table: the IOMMU's hardware
 * walker sets the accessed bit of the PTE it used, and the dirty bit for a write, as the
 * CPU's walker does for `cpuRead` / `cpuWrite`. So aging (`page_referenced`) sees the
 * device's use of the page without any notifier callback, and reclaim and writeback
 * see its writes as `pte_dirty`. Only a present entry that still maps `pfn` is marked:
 * a walker that reached another frame (the PTE moved since the device cached it) or no
 * entry sets nothing. Like the CPU's walker it takes no lock and emits no `pte` event
 * (the A/D bits are not a mapping change). Returns whether an entry was marked.
 *
 * Kernel counterpart: none in software — the hardware access/dirty update of an SVA
 * IOMMU walking the process's page table: x86 VT-d/AMD-Vi setting `_PAGE_ACCESSED` /
 * `_PAGE_DIRTY` in first-level tables, Arm SMMUv3 HTTU (`CD.HA`/`CD.HD`,
 * `ARM_SMMU_FEAT_HA`/`_HD`) for a context descriptor sharing the mm's `pgd`
 * (`arm-smmu-v3-sva.c`). Difference: the model marks at every access, where hardware
 * marks when it fills its IOTLB and then relies on the entry it cached.
 */
export function deviceWalkerMarkPte(mm: Mm, address: number, pfn: number, write: boolean): boolean {
  if (mm.dead) return false;
  const vpn = Math.floor(address / PAGE_SIZE);
  const table = mm.pageTable.lookup(vpn);
  if (table === undefined) return false;
  const i = vpn % PTRS_PER_TABLE;
  const bits = table.bits[i]!;
  if ((bits & PTE.present) === 0 || table.word[i] !== pfn) return false;
  table.bits[i] = bits | PTE.young | (write ? PTE.dirty : 0);
  return true;
}

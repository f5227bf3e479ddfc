import type { Kernel } from '../kernel/kernel.js';
import { SpinLock } from '../kernel/locks/spinlock.js';
import { levelIndex, PTRS_PER_TABLE } from './layout.js';

/**
 * The last level: 512 PTEs as two typed arrays, with its own PT lock (split PT locks,
 * `pte_lockptr()`), and a count of non-none entries so empty tables can be found.
 */
export class PteTable {
  /** First page number this table maps. */
  readonly base: number;
  /** Pfn, swap slot or migrating pfn per entry. */
  readonly word = new Uint32Array(PTRS_PER_TABLE);
  /** {@link PTE} bits per entry; 0 is `pte_none`. */
  readonly bits = new Uint16Array(PTRS_PER_TABLE);
  /** The split PT lock for these 512 entries. */
  readonly ptl: SpinLock;
  /** Entries that are not none. */
  used = 0;

  constructor(kernel: Kernel, base: number) {
    this.base = base;
    this.ptl = new SpinLock(kernel, 'ptl');
  }
}

type Level = (Level | PteTable | undefined)[];

/** Pages under one PGD entry (512^3) and one PUD entry (512^2). */
const SPAN_PGD = PTRS_PER_TABLE ** 3;
const SPAN_PUD = PTRS_PER_TABLE ** 2;

/**
 * An mm's 4-level page table: PGD -> PUD -> PMD -> PTE tables of 512 entries each,
 * indexed by arithmetic on the page number. Upper levels are sparse arrays; only
 * PTE tables hold entries. Kernel counterpart: `mm->pgd` with `pgd_offset`,
 * `pud_offset`, `pmd_offset`, `pte_offset_map_lock`; difference: page-table pages
 * are not charged to physical frames.
 */
export class PageTable {
  private readonly kernel: Kernel;
  private readonly pgd: Level = [];
  /** Number of PTE tables allocated. */
  tables = 0;
  private last: PteTable | undefined = undefined;

  constructor(kernel: Kernel) {
    this.kernel = kernel;
  }

  /**
   * The PTE table covering `vpn`, or undefined (`pte_offset_map` on a none pmd). The
   * last table found is remembered, as a TLB would: tables are never freed while the
   * page table lives, so the memo cannot go stale.
   */
  lookup(vpn: number): PteTable | undefined {
    const last = this.last;
    if (last !== undefined && vpn - last.base >= 0 && vpn - last.base < PTRS_PER_TABLE) return last;
    const pud = this.pgd[Math.floor(vpn / SPAN_PGD) % PTRS_PER_TABLE] as Level | undefined;
    if (pud === undefined) return undefined;
    const pmd = pud[Math.floor(vpn / SPAN_PUD) % PTRS_PER_TABLE] as Level | undefined;
    if (pmd === undefined) return undefined;
    const table = pmd[Math.floor(vpn / PTRS_PER_TABLE) % PTRS_PER_TABLE] as PteTable | undefined;
    if (table !== undefined) this.last = table;
    return table;
  }

  /**
   * The PTE table covering `vpn`, allocating missing levels (`__pte_alloc`). Callers
   * hold `mm.pageTableLock` or the mmap lock for writing, as the kernel's
   * `pmd_populate` does.
   */
  ensure(vpn: number): PteTable {
    const i4 = levelIndex(vpn, 4);
    let pud = this.pgd[i4] as Level | undefined;
    if (pud === undefined) this.pgd[i4] = pud = [];
    const i3 = levelIndex(vpn, 3);
    let pmd = pud[i3] as Level | undefined;
    if (pmd === undefined) pud[i3] = pmd = [];
    const i2 = levelIndex(vpn, 2);
    let table = pmd[i2] as PteTable | undefined;
    if (table === undefined) {
      pmd[i2] = table = new PteTable(this.kernel, vpn - (vpn % PTRS_PER_TABLE));
      this.tables++;
    }
    return table;
  }

  /** Visit every PTE table overlapping pages `[startVpn, endVpn)`, in address order. */
  forEachTable(startVpn: number, endVpn: number, visit: (table: PteTable) => void): void {
    for (let vpn = startVpn - (startVpn % PTRS_PER_TABLE); vpn < endVpn; ) {
      const pud = this.pgd[levelIndex(vpn, 4)] as Level | undefined;
      if (pud === undefined) {
        vpn = nextBoundary(vpn, 4);
        continue;
      }
      const pmd = pud[levelIndex(vpn, 3)] as Level | undefined;
      if (pmd === undefined) {
        vpn = nextBoundary(vpn, 3);
        continue;
      }
      const table = pmd[levelIndex(vpn, 2)] as PteTable | undefined;
      if (table !== undefined) visit(table);
      vpn += PTRS_PER_TABLE;
    }
  }

  /** Every PTE table, in address order. */
  allTables(): PteTable[] {
    const out: PteTable[] = [];
    // Index loops over the sparse levels: `for...of` would visit every hole (and an
    // empty array per hole), on verify's path after every run.
    const pgd = this.pgd;
    for (let i = 0; i < pgd.length; i++) {
      const pud = pgd[i] as Level | undefined;
      if (pud === undefined) continue;
      for (let j = 0; j < pud.length; j++) {
        const pmd = pud[j] as Level | undefined;
        if (pmd === undefined) continue;
        for (let k = 0; k < pmd.length; k++) {
          const t = pmd[k];
          if (t !== undefined) out.push(t as PteTable);
        }
      }
    }
    return out;
  }
}

/** First page number of the next table at `level` (which maps 512^(level-1) pages per entry). */
function nextBoundary(vpn: number, level: 3 | 4): number {
  const span = PTRS_PER_TABLE ** (level - 1);
  return vpn - (vpn % span) + span;
}

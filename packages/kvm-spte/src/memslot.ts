import { PAGE_SIZE, SmmuError, TASK_SIZE } from '@secondary-mmu/core-mm';

/**
 * What a memslot is made from: guest frames `[baseGfn, baseGfn + pages)` backed by the
 * host range `[userspaceAddr, userspaceAddr + pages · PAGE_SIZE)` of the VM's mm.
 * Kernel counterpart: `struct kvm_userspace_memory_region` (`slot`, `guest_phys_addr >>
 * PAGE_SHIFT`, `memory_size >> PAGE_SHIFT`, `userspace_addr`).
 */
export interface MemslotSpec {
  /** The slot number (a non-negative integer); a VM has at most one slot per number. */
  readonly slot: number;
  /** The first guest frame number. */
  readonly baseGfn: number;
  /** How many pages. */
  readonly pages: number;
  /** The page-aligned host address of the first page. */
  readonly userspaceAddr: number;
}

/**
 * One memslot of a VM. `deleted` is set, under `mmu_lock`, when it is removed: a guest
 * fault that resolved through it must not install. Kernel counterpart: `struct
 * kvm_memory_slot` (the model checks `deleted` where KVM compares memslot generations).
 */
export class Memslot {
  deleted = false;

  constructor(
    readonly slot: number,
    readonly baseGfn: number,
    readonly pages: number,
    readonly userspaceAddr: number,
  ) {}

  /** One past the last guest frame. */
  get endGfn(): number {
    return this.baseGfn + this.pages;
  }

  /** One past the last host address. */
  get endAddr(): number {
    return this.userspaceAddr + this.pages * PAGE_SIZE;
  }

  /** The host address backing `gfn` (which the slot must contain). Kernel counterpart: `__gfn_to_hva_memslot()`. */
  hvaOf(gfn: number): number {
    return this.userspaceAddr + (gfn - this.baseGfn) * PAGE_SIZE;
  }

  /** The guest frames whose host pages overlap `[start, end)`, as `[first, end)`, or null. Kernel counterpart: `hva_to_gfn_memslot()` of the clipped range. */
  gfnsOverlapping(start: number, end: number): readonly [number, number] | null {
    const from = Math.max(start, this.userspaceAddr);
    const to = Math.min(end, this.endAddr);
    if (from >= to) return null;
    const first = this.baseGfn + Math.floor((from - this.userspaceAddr) / PAGE_SIZE);
    const last = this.baseGfn + Math.ceil((to - this.userspaceAddr) / PAGE_SIZE);
    return [first, last];
  }
}

/**
 * The slot {@link createKvmSpte}'s VMs start with: guest frame n is host page n, over
 * the whole user address space, so every address of the mm is guest memory (the
 * conformance suite's accesses need no set-up). Kernel counterpart: none — a VMM maps
 * its guest RAM into a few slots; this is one slot as large as the mm.
 */
export const IDENTITY_MEMSLOT: MemslotSpec = Object.freeze({ slot: 0, baseGfn: 0, pages: TASK_SIZE / PAGE_SIZE, userspaceAddr: 0 });

/**
 * A VM's memslots. Lookups go by guest frame (one slot at most: slots' frames do not
 * overlap) or by host address (the lowest-numbered slot backing it: two slots may
 * alias one host range). Changed only under `mmu_lock`. Kernel counterpart: `struct
 * kvm_memslots` with `gfn_to_memslot()` and the hva interval tree.
 */
export class MemslotTable {
  private readonly slots = new Map<number, Memslot>();

  /** The slots, by slot number. */
  list(): Memslot[] {
    return [...this.slots.values()].sort((a, b) => a.slot - b.slot);
  }

  /** The slot numbered `slot`, if any. */
  get(slot: number): Memslot | undefined {
    return this.slots.get(slot);
  }

  /** The slot holding guest frame `gfn`, if any. Kernel counterpart: `gfn_to_memslot()`. */
  byGfn(gfn: number): Memslot | undefined {
    for (const s of this.slots.values()) if (gfn >= s.baseGfn && gfn < s.endGfn) return s;
    return undefined;
  }

  /** The lowest-numbered slot backed by the host page at `hva`, with its guest frame, if any. Kernel counterpart: `hva_to_gfn_memslot()` over the hva tree. */
  byHva(hva: number): { readonly slot: Memslot; readonly gfn: number } | undefined {
    for (const s of this.list()) {
      if (hva >= s.userspaceAddr && hva < s.endAddr) return { slot: s, gfn: s.baseGfn + Math.floor((hva - s.userspaceAddr) / PAGE_SIZE) };
    }
    return undefined;
  }

  /** The slots whose host range overlaps `[start, end)`, each with its overlapping guest frames. */
  overlapping(start: number, end: number): { readonly slot: Memslot; readonly gfns: readonly [number, number] }[] {
    const out: { slot: Memslot; gfns: readonly [number, number] }[] = [];
    for (const s of this.list()) {
      const gfns = s.gfnsOverlapping(start, end);
      if (gfns !== null) out.push({ slot: s, gfns });
    }
    return out;
  }

  /**
   * Check `spec` against the table: EINVAL (naming the value) for a bad number or an
   * unaligned or out-of-range host range, EEXIST for a slot number in use or guest frames
   * another slot holds. Changes nothing. Kernel counterpart: the checks of
   * `__kvm_set_memory_region()`.
   */
  check(spec: MemslotSpec): void {
    if (spec === null || typeof spec !== 'object') throw new SmmuError('EINVAL', `kvm-spte: memslot ${String(spec)} is not a memslot spec`);
    const { slot, baseGfn, pages, userspaceAddr } = spec;
    const int = (name: string, v: unknown, min: number): void => {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new SmmuError('EINVAL', `kvm-spte: memslot ${name} ${String(v)} is not an integer ≥ ${min}`);
    };
    int('slot', slot, 0);
    int('baseGfn', baseGfn, 0);
    int('pages', pages, 1);
    int('userspaceAddr', userspaceAddr, 0);
    if (userspaceAddr % PAGE_SIZE !== 0 || userspaceAddr + pages * PAGE_SIZE > TASK_SIZE) {
      throw new SmmuError('EINVAL', `kvm-spte: memslot ${slot}: host range 0x${userspaceAddr.toString(16)} + ${pages} pages is not page aligned inside the user address space`);
    }
    if (this.slots.has(slot)) throw new SmmuError('EEXIST', `kvm-spte: memslot ${slot} is in use`);
    for (const s of this.slots.values()) {
      if (baseGfn < s.endGfn && s.baseGfn < baseGfn + pages) throw new SmmuError('EEXIST', `kvm-spte: memslot ${slot}: guest frames ${baseGfn}..${baseGfn + pages - 1} overlap memslot ${s.slot}`);
    }
  }

  /** Add the slot `spec` describes (call {@link MemslotTable.check} first); returns it. */
  add(spec: MemslotSpec): Memslot {
    const s = new Memslot(spec.slot, spec.baseGfn, spec.pages, spec.userspaceAddr);
    this.slots.set(s.slot, s);
    return s;
  }

  /** Remove `slot` and mark it deleted; returns it, or undefined when there is none. */
  remove(slot: number): Memslot | undefined {
    const s = this.slots.get(slot);
    if (s === undefined) return undefined;
    this.slots.delete(slot);
    s.deleted = true;
    return s;
  }

  /** Remove every slot (the VM is going away). */
  clear(): void {
    for (const s of this.slots.values()) s.deleted = true;
    this.slots.clear();
  }
}

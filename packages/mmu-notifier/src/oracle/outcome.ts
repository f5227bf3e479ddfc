import { isMigrationPte, isSwapPte, PG, PTE, swapOf, type Task } from '@secondary-mmu/core-mm';
import type { DeferredDowngrades } from './deferred-downgrade.js';
import type { JudgedTranslation } from './judged-translation.js';
import type { OracleContext } from './oracle-context.js';
import type { PendingWrites } from './pending-writes.js';
import { hex } from './page-map.js';
import { contentElsewhere, primaryBits, primaryWord, USER_WRITABLE } from './primary.js';

/**
 * @internal The outcome rules for one device access through `h`, judged against the
 * primary MMU at that instant — every driver class, every era. At most one outcome is
 * reported per access, the first that holds:
 *
 * 1. `use-after-free`: the frame's generation is no longer the handle's (it was freed,
 *    maybe reused), or it was free when the handle was made, or it is free now.
 * 2. A read is a `stale-read` when the CPU has written there since: the process's page
 *    at the handle's address was stored to while it lived in another frame than the
 *    handle's (`storedSince`, see `stale-baseline.ts`: a CPU store or `pwrite` — core-mm's
 *    `store` event — or a write by another device the process sees; a handle
 *    established while the page already lived elsewhere counts from the start), and
 *    the page's content word now — in the frame the primary maps there (PROT_NONE
 *    included) or a migration entry names, or, swapped out, in its swap-cache page or
 *    its slot — differs from the word the device just read (a store of that same word
 *    did no harm). A PTE that maps nothing is never stale: the process has no data
 *    there until a frame is mapped, and the next read judges that frame.
 * 3. A write is a `lost-write` when the primary maps another frame there or maps
 *    nothing (never once the mm exited: no reader is left, and the device may write
 *    until `release` tells it); when the PTE is a swap entry whose swap-cache page is the
 *    handle's frame, or a migration entry naming it, the verdict waits for the next
 *    mapping (`PendingWrites`).
 * 4. A write is `write-through-read-only` when the primary maps the handle's frame
 *    there but the CPU could not write through that PTE (read-only or PROT_NONE) —
 *    unless the handle's downgrade may still wait for its flush (`DeferredDowngrades`:
 *    a TLB sharing the CPU page table, between the write-protect and the flush).
 */
export function judgeOutcome(oracle: OracleContext, pending: PendingWrites, downgrades: DeferredDowngrades, task: Task, h: JudgedTranslation, write: boolean, value: number): void {
  const mem = oracle.machine.mem;
  const f = mem.frames;
  const pfn = h.pfn;
  const access = write ? `write of ${hex(value)}` : 'read';
  if (h.state.bornFree || f.generation[pfn] !== h.generation || (f.flags[pfn]! & PG.free) !== 0) {
    const now = (f.flags[pfn]! & PG.free) !== 0 ? 'free' : `in use at generation ${f.generation[pfn]}`;
    const why = h.state.bornFree ? 'the frame was already free when the translation was established' : `the frame was freed since (now ${now})`;
    oracle.report(task, 'use-after-free', `${h.device.name}: ${access} at ${hex(h.address)} (mm ${h.mm.id}) through pfn ${pfn} generation ${h.generation}: ${why}`, [h.toString(), ...history(oracle, pfn)]);
    return;
  }
  const mm = h.mm;
  const bits = primaryBits(mm, h.address);
  const word = primaryWord(mm, h.address);
  const present = (bits & PTE.present) !== 0;
  if (!write) {
    if (!h.state.storedSince) return;
    const now = contentElsewhere(mem, mm, h.address, pfn);
    const seen = f.content[pfn]!;
    if (now < 0 || now === seen) return;
    const where = present ? `maps pfn ${word} there` : isSwapPte(bits) ? `swapped its page there out (slot ${word})` : `is migrating its page there (pfn ${word})`;
    oracle.report(
      task,
      'stale-read',
      `${h.device.name}: read at ${hex(h.address)} (mm ${mm.id}) through pfn ${pfn} returned ${hex(seen)}, but the process ${where}, written since to ${hex(now)}`,
      [h.toString()],
    );
    return;
  }
  // An exited mm has no reader left, and its device may go on writing until release
  // tells it (which comes after the mm is marked dead): no lost write. A handle kept
  // past release is a leak, and its frame's reuse a use-after-free.
  if (mm.dead) return;
  if (present) {
    if (word !== pfn) {
      oracle.report(task, 'lost-write', `${h.device.name}: ${access} at ${hex(h.address)} (mm ${mm.id}) went to pfn ${pfn}, which the process no longer maps there (it maps pfn ${word}): the process will never see it`, [h.toString()]);
    } else if ((bits & USER_WRITABLE) !== USER_WRITABLE && !downgrades.waits(h)) {
      const prot = (bits & PTE.user) === 0 ? 'PROT_NONE' : 'read-only';
      oracle.report(task, 'write-through-read-only', `${h.device.name}: ${access} at ${hex(h.address)} (mm ${mm.id}, pfn ${pfn}) where the primary mapping is ${prot}: the CPU could not have written there`, [h.toString()]);
    }
    return;
  }
  if ((isSwapPte(bits) && swapOf(mem).cache.get(word) === pfn) || (isMigrationPte(bits) && word === pfn)) {
    pending.add(task, h, value);
    return;
  }
  const nothing = isSwapPte(bits)
    ? `the page was swapped out (slot ${word}) and pfn ${pfn} is not its swap-cache page`
    : isMigrationPte(bits)
      ? `the page is migrating from pfn ${word}, not pfn ${pfn}`
      : 'the process maps nothing there';
  oracle.report(task, 'lost-write', `${h.device.name}: ${access} at ${hex(h.address)} (mm ${mm.id}) went to pfn ${pfn}, but ${nothing}: the process will never see it`, [h.toString()]);
}

function history(oracle: OracleContext, pfn: number): string[] {
  return oracle.machine.mem.frames.history(pfn).map((e) => `pfn ${pfn} history: ${e.event} (generation ${e.generation}, task ${e.task}, ${e.time} ns)`);
}

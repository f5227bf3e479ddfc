import { rmapHits, type MmEvent } from '@secondary-mmu/core-mm';
import type { JudgedTranslation } from './judged-translation.js';
import type { OracleContext } from './oracle-context.js';
import { contentElsewhere } from './primary.js';

/*
 * @internal What "the CPU has written there since" is measured against, for the
 * stale-read rule: the moment a handle's view and the process's parted. Each handle
 * keeps one bit, `storedSince`, set when a store reaches the process's page at the
 * handle's address while that page lives in another frame than the handle's — a CPU
 * store or `pwrite` (core-mm's `store` observation event), or a device write through a
 * translation of that frame the primary maps. Moves that keep the data (migration,
 * swap-out and swap-in, a COW copy) leave the bit as it is: the data followed the
 * process, and so does the record of having written it. The bit clears when the primary
 * maps the handle's frame there again (the views meet). A handle established while the
 * process's page already lived in another frame — Arcangeli's stale spte, installed
 * after the invalidation it missed — is born with the bit set: its view was never the
 * process's, so any difference between the two words counts. A read is stale only with
 * the bit set and the words different (see `judgeOutcome`). Kernel counterpart: none.
 */

/** A handle was just made: set its bit if the process's page there lives elsewhere already. */
export function baselineOnEstablish(oracle: OracleContext, h: JudgedTranslation): void {
  h.state.storedSince = contentElsewhere(oracle.machine.mem, h.mm, h.address, h.pfn) >= 0;
}

/** The PTE at the address of `handles` moved to another frame (or none): the views of the handles of the new frame meet the process's again. */
export function baselineOnPte(e: Extract<MmEvent, { kind: 'pte' }>, handles: readonly JudgedTranslation[]): void {
  for (const h of handles) if (h.pfn === e.newPfn) h.state.storedSince = false;
}

/**
 * A store into frame `pfn`: set the bit of every live handle of another frame at an
 * address where the primary maps `pfn`. `mmId` and `address` name the mapping the store
 * went through, when known (a CPU store; -1 for a `pwrite`): if it is the frame's only
 * mapping, that address is the only one to look at; otherwise the reverse map finds them.
 */
export function baselineOnStore(oracle: OracleContext, pfn: number, mmId: number, address: number): void {
  const mem = oracle.machine.mem;
  // Stryker disable next-line BlockStatement: the fast path's body emptied falls through to the reverse-map walk, which finds the same mapping
  if (mmId >= 0 && mem.frames.mapcount[pfn]! <= 1) {
    mark(oracle.translationsAt(mmId, address), pfn);
    return;
  }
  for (const hit of rmapHits(mem, pfn)) mark(oracle.translationsAt(hit.vma.mm.id, hit.address), pfn);
}

function mark(handles: readonly JudgedTranslation[] | undefined, pfn: number): void {
  if (handles === undefined) return;
  for (const h of handles) if (h.pfn !== pfn) h.state.storedSince = true;
}

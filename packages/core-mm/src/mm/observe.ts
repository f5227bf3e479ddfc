import { closureOver } from '../kernel/util/graph-copy.js';
import type { PtePermission } from './pte.js';

/** Why a PTE changed. */
export type PteCause =
  | 'fault'
  | 'cow'
  | 'wp-reuse'
  | 'mkwrite'
  | 'zap'
  | 'mprotect'
  | 'fork-wrprotect'
  | 'fork-copy'
  | 'truncate'
  | 'exit'
  | 'reclaim'
  | 'mkclean'
  | 'swapout'
  | 'migrate'
  | 'swapin'
  | 'mremap';

/**
 * What the observation face reports: every PTE change (with old and new frame and
 * permission, and why), frame allocations (noting reuse of a frame freed before),
 * frees, pins and unpins, CPU stores, reclaim scans and clean epochs. The coherence oracle and the event trace subscribe here.
 */
export type MmEvent =
  | {
      readonly kind: 'pte';
      readonly mm: number;
      readonly address: number;
      readonly oldPfn: number;
      readonly newPfn: number;
      readonly oldPermission: PtePermission;
      readonly newPermission: PtePermission;
      readonly cause: PteCause;
      readonly time: number;
    }
  | { readonly kind: 'frame-alloc'; readonly pfn: number; readonly generation: number; readonly reused: boolean; readonly time: number }
  | { readonly kind: 'frame-free'; readonly pfn: number; readonly generation: number; readonly time: number }
  | { readonly kind: 'pin' | 'unpin'; readonly pfn: number; readonly generation: number; readonly longterm: boolean; readonly time: number }
  | { readonly kind: 'scan'; readonly pfn: number; readonly generation: number; readonly verdict: ScanVerdict; readonly time: number }
  /**
   * A store into a frame by the CPU: a user write through the page table (`mm` and
   * `address` set) or a `pwrite` into the page cache (`mm` -1, `address` the file
   * offset). Device writes are not CPU stores and are not reported here.
   */
  | { readonly kind: 'store'; readonly mm: number; readonly address: number; readonly pfn: number; readonly value: number; readonly time: number }
  /** Writeback cleaned the page: every mapping write-protected and clean, its content stored (a clean epoch). */
  | { readonly kind: 'clean'; readonly pfn: number; readonly generation: number; readonly content: number; readonly time: number };

/** What one reclaim pass decided for a page (`shrink_folio_list`'s outcomes). */
export type ScanVerdict = 'activate' | 'keep' | 'freed';

/** A listener on the observation face. */
export type MmObserver = (event: MmEvent) => void;

/**
 * The observation face's bus. Emitters check `active` first, so with nobody
 * listening no event object is ever built.
 */
export class Observers {
  private readonly listeners: MmObserver[] = [];
  /** True when someone listens. */
  active = false;

  /** Subscribe; returns the unsubscribe function. */
  subscribe(listener: MmObserver): () => void {
    this.listeners.push(listener);
    this.active = true;
    return closureOver(Observers.unsubscriber, this, listener);
  }

  private static unsubscriber(this: void, bus: Observers, listener: MmObserver): () => void {
    return () => bus.unsubscribe(listener);
  }

  private unsubscribe(listener: MmObserver): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
    this.active = this.listeners.length > 0;
  }

  emit(event: MmEvent): void {
    for (const l of this.listeners) l(event);
  }
}

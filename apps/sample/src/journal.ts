import type { ScanVerdict } from '@secondary-mmu/core-mm';

/** A phase of the workload and the virtual time it starts at. Kernel counterpart: none. */
export interface Phase {
  readonly name: string;
  readonly from: number;
}

/** The pins and references each driver's device held on a page when migration was asked to move it, and what move_pages answered. Kernel counterpart: none. */
export interface MigrationRecord {
  readonly page: string;
  readonly holds: Readonly<Record<string, { readonly refs: number; readonly pins: number }>>;
  /** The new pfn, or the errno move_pages answered (`EBUSY`). */
  readonly result: number | string;
}

/** The OOM kill: who died, and how the v6 reaper fared. Kernel counterpart: none. */
export interface OomRecord {
  readonly victim: string | null;
  readonly reapAttempts: number;
  readonly skipped: boolean;
}

/**
 * What the workload's steps saw, written as they run: the phases, reclaim's verdict on
 * each pass over the device-hot pages, migration, the OOM kill, and the values the
 * devices read. Kernel counterpart: none.
 */
export interface Journal {
  readonly phases: Phase[];
  readonly reclaim: Record<string, ScanVerdict[]>;
  readonly migration: MigrationRecord[];
  oom: OomRecord | null;
  /** Each device read, as `driver@page: value`, for the record. */
  readonly reads: string[];
  /** Where mremap moved the moved page. */
  movedTo: number | null;
}

/** An empty journal. Kernel counterpart: none. */
export function newJournal(): Journal {
  return { phases: [], reclaim: {}, migration: [], oom: null, reads: [], movedTo: null };
}

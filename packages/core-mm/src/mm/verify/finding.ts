/**
 * How a check of `verify()` reports a finding: its message, and the pfn whose recorded
 * history the finding carries as details (-1 or absent: no frame).
 *
 * Kernel counterpart: a failed `VM_BUG_ON_PAGE()` / `VM_WARN_ON_FOLIO()`, which prints
 * its message and `dump_page()` — with page_owner, the frame's allocation and free
 * stacks; here the frame's recorded history.
 */
export type ReportFinding = (message: string, pfn?: number) => void;

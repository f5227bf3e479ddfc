/**
 * The violation kinds the coherence oracle reports (`Violation.kind`), stable across
 * releases. Outcome kinds (any driver, any era): `use-after-free`, `stale-read`,
 * `lost-write`, `write-through-read-only`, `aging`, `leak`. Rule kinds: for every
 * class `revoked-translation` (a read through a translation kept after the callback
 * that revoked it returned); by driver class `access-in-invalidation` and
 * `map-in-invalidation` (no references), `late-secondary-flush` (sharing the CPU page
 * table).
 *
 * Kernel counterpart: none. The kernel has no oracle; the nearest are KASAN's
 * use-after-free reports and the data corruption a guest or device sees later.
 */
export const ORACLE_VIOLATION_KINDS = [
  'use-after-free',
  'stale-read',
  'lost-write',
  'write-through-read-only',
  'aging',
  'leak',
  'access-in-invalidation',
  'map-in-invalidation',
  'late-secondary-flush',
  'revoked-translation',
] as const;

/** One of {@link ORACLE_VIOLATION_KINDS}. Kernel counterpart: none. */
export type OracleViolationKind = (typeof ORACLE_VIOLATION_KINDS)[number];

/**
 * The CLI's exit codes: `0` everything ran and nothing was found, `1` a run reported
 * violations (or failed its scenario's expectations), `2` the input was bad (a missing
 * or invalid file, an unknown name, a malformed or diverging token) and nothing ran.
 * Kernel counterpart: none (model machinery).
 */
export const EXIT = Object.freeze({ ok: 0, violations: 1, badInput: 2 } as const);

/** One of {@link EXIT}'s values. Kernel counterpart: none. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

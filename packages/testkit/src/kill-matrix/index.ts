/**
 * `@secondary-mmu/testkit/kill-matrix`: mutation testing of the testkit itself. Each
 * variant is a reference driver (`dmirror` or `classicMirror`, built by the reference's
 * own code) with exactly one injected fault, the scenario and era that expose it, and
 * the violation kinds that must catch it. A variant is either a race (`race: true`:
 * the scenario under `fifo` with no preemption passes, and `explore` must find a
 * failing interleaving within the variant's `schedules` — it proves the search) or a
 * deterministic bug (`race: false`: caught under `fifo` too — it proves the checker).
 * The unmodified reference must `pass` the same scenario (a window hit, not merely
 * `inconclusive`), and the shrunk failing schedule must replay to the same verdict and be
 * 1-minimal. {@link checkKillMatrixVariant} holds one variant to those rules, and
 * `test/kill-matrix.test.ts` runs it on every entry of {@link KILL_MATRIX} (see
 * docs/kill-matrix.md).
 *
 * Adding a variant is one new file and one list entry:
 *
 * 1. `src/kill-matrix/variants/<name>.ts` exporting one `KillMatrixVariant`: its
 *    `driver` is {@link classicVariant} or {@link dmirrorVariant} with the one fault (or
 *    another reference built the same way), its `reference` the unmodified driver, its
 *    `scenario` a catalogue name, a conformance name, or a YAML text (a kill-matrix
 *    scenario in `src/kill-matrix/scenarios/` when none of those exposes it as `race`
 *    says);
 * 2. its entry in `KILL_MATRIX` (`src/kill-matrix/variants/index.ts`).
 *
 * Not on the main entry: the matrix is for checking the testkit, not for driver authors.
 *
 * @packageDocumentation
 */
export type { KillMatrixVariant } from './types.js';
export * from './variants/index.js';
export { killMatrixScenario } from './scenario.js';
export { checkKillMatrixVariant, type KillMatrixCheck, type KillMatrixCheckOptions } from './check-variant.js';
export { classicVariant, type ClassicChange } from './classic-variant.js';
export { dmirrorVariant, type DmirrorChange } from './dmirror-variant.js';
export { sleepInInvalidations } from './sleeping-invalidations.js';
export { EXIT_AFTER_DEVICE_READ } from './scenarios/exit-after-device-read.js';
export { DEVICE_WRITE_ACROSS_WRITEBACK } from './scenarios/device-write-across-writeback.js';

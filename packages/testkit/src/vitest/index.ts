/**
 * `@secondary-mmu/testkit/vitest`: the conformance suite as vitest tests (ESM only;
 * vitest is a peer). Filled in by the conformance step; for now it re-exports the
 * contract so the subpath resolves.
 *
 * @packageDocumentation
 */
export type { DriverFactory, DriverInstance } from '../contract.js';

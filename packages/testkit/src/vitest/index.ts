/**
 * `@secondary-mmu/testkit/vitest`: the conformance suite as vitest tests (ESM only;
 * vitest is a peer). `describeDriverConformance` registers one test per scenario × era.
 *
 * @packageDocumentation
 */
export type { DriverFactory, DriverInstance } from '../contract.js';
export { describeDriverConformance, type DescribeDriverConformanceOptions } from './describe-conformance.js';

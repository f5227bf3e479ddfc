import { ERAS, type Era } from '@secondary-mmu/core-mm';
import type { ConformanceCapability } from '../conformance/capability.js';
import { loadScenario } from '../scenario/load.js';

/**
 * What a registry scenario is: `catalogue` (the scenario catalogue, `SCENARIO_CATALOGUE`),
 * `conformance` (the suite's own race scenarios), `hmm-test` (the applicable cases of
 * the kernel's hmm-tests.c, sequential and without windows). Kernel counterpart: none.
 */
export type ScenarioKind = 'catalogue' | 'conformance' | 'hmm-test';

/** One scenario of the registry, as written in `SCENARIO_REGISTRY`. Kernel counterpart: none. */
export interface ScenarioEntrySpec {
  readonly kind: ScenarioKind;
  /** The scenario's YAML text (its `name` is the entry's name). */
  readonly yaml: string;
  /** Capabilities a driver needs to run it (default none); the suite skips a driver lacking one. */
  readonly requires?: readonly ConformanceCapability[];
  /** Whether the conformance suite runs it (default true): false for a demonstration expecting violations, which a correct driver does not have. */
  readonly conformance?: boolean;
}

/** A registry scenario, validated: its name and eras read from its YAML. Kernel counterpart: none. */
export interface ScenarioEntry {
  readonly name: string;
  readonly kind: ScenarioKind;
  readonly requires: readonly ConformanceCapability[];
  readonly conformance: boolean;
  /** The eras it is for (its `eras`, or every era). */
  readonly eras: readonly Era[];
  readonly yaml: string;
}

/**
 * A registry entry from its spec: the YAML is loaded (a bad scenario throws its
 * `ScenarioError` when the registry is built, not when a suite first runs it) and its
 * name and eras taken from it. Kernel counterpart: none.
 */
export function defineScenario(spec: ScenarioEntrySpec): ScenarioEntry {
  const s = loadScenario(spec.yaml, { source: `registry ${spec.kind} scenario` });
  return Object.freeze({ name: s.name, kind: spec.kind, requires: Object.freeze([...(spec.requires ?? [])]), conformance: spec.conformance ?? true, eras: Object.freeze([...(s.eras ?? ERAS)]), yaml: spec.yaml });
}

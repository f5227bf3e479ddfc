import { loadScenario, SCENARIO_REGISTRY, type Scenario } from '@secondary-mmu/testkit';
import { DEVICE_WRITE_ACROSS_WRITEBACK, EXIT_AFTER_DEVICE_READ } from '@secondary-mmu/testkit/kill-matrix';

/** One named scenario the CLI knows. Kernel counterpart: none. */
export interface NamedScenario {
  readonly name: string;
  /** `catalogue`, `conformance`, `hmm-test` (the testkit's registry) or `kill-matrix` (the matrix's own scenarios). */
  readonly kind: string;
  readonly description: string;
  readonly eras: readonly string[];
  /** Capabilities a driver must declare for the scenario's verdict to count. */
  readonly requires: readonly string[];
  readonly scenario: Scenario;
}

let cache: readonly NamedScenario[] | undefined;

/**
 * Every scenario `explore`, `compare` and a token can name: the testkit's registry, in
 * its order, then the kill matrix's own scenarios. Loaded once. Kernel counterpart: none.
 */
export function namedScenarios(): readonly NamedScenario[] {
  cache ??= [
    ...SCENARIO_REGISTRY.map((e) => named(e.kind, loadScenario(e.yaml), e.requires, e.eras)),
    ...[EXIT_AFTER_DEVICE_READ, DEVICE_WRITE_ACROSS_WRITEBACK].map((yaml) => {
      const s = loadScenario(yaml);
      return named('kill-matrix', s, [], s.eras ?? ['rfc-2008', 'v2.6.27', 'v6']);
    }),
  ];
  return cache;
}

function named(kind: string, s: Scenario, requires: readonly string[], eras: readonly string[]): NamedScenario {
  return { name: s.name, kind, description: (s.description ?? '').trim().split('\n')[0]!, eras, requires, scenario: s };
}

/** The named scenario, or undefined. Kernel counterpart: none. */
export function findScenario(name: string): NamedScenario | undefined {
  return namedScenarios().find((s) => s.name === name);
}

import { loadScenario } from '@secondary-mmu/testkit';
import { buildTarget } from './build-target.js';
import type { RunTarget } from './run-target.js';
import type { ResolvedScenario } from './scenarios/resolve.js';
import type { RunRecord } from './token.js';

/** The token's scenario: a catalogue name, or the file text it carries. */
function scenarioOf(record: RunRecord): string | ResolvedScenario {
  const s = record.scenario;
  return 'name' in s ? s.name : { scenario: loadScenario(s.text, { source: s.file }), source: s };
}

/** The run target a decoded CLI token names: its scenario, driver and variant, resolved as the command line's are. Kernel counterpart: none. */
export function targetOfRecord(record: RunRecord, cwd?: string): Promise<RunTarget> {
  return buildTarget({ scenario: scenarioOf(record), driver: record.driver, variant: record.variant ?? undefined, cwd });
}

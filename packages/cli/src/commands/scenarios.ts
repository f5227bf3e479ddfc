import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Io } from '../output/io.js';
import { formatTable } from '../output/table.js';
import { namedScenarios } from '../scenarios/catalogue.js';

/** One scenario in `scenarios --json`. Kernel counterpart: none. */
export interface ScenarioListing {
  readonly name: string;
  readonly kind: string;
  readonly eras: readonly string[];
  readonly requires: readonly string[];
  readonly description: string;
}

/** The scenarios `explore`, `compare` and tokens can name (see docs/cli.md). Kernel counterpart: none. */
export function listScenarios(): ScenarioListing[] {
  return namedScenarios().map((s) => ({ name: s.name, kind: s.kind, eras: s.eras, requires: s.requires, description: s.description }));
}

/** `secondary-mmu scenarios [--json]`: one line per named scenario. Kernel counterpart: none. */
export function scenariosCommand(options: { readonly json?: boolean }, io: Io): ExitCode {
  const list = listScenarios();
  if (options.json === true) {
    io.out(`${JSON.stringify(list, null, 2)}\n`);
    return EXIT.ok;
  }
  const c = io.color;
  io.out(formatTable(['scenario', 'kind', 'eras', 'description'], list.map((s) => [c.bold(s.name), s.kind, s.eras.join(' '), s.description + (s.requires.length > 0 ? c.dim(` (needs ${s.requires.join(', ')})`) : '')])));
  return EXIT.ok;
}

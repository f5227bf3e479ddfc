import { agingRounds, ERAS, type AgingCombiner, type Era } from '@secondary-mmu/core-mm';
import { CliError } from '../cli-error.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { checkCount } from '../options.js';
import type { Io } from '../output/io.js';
import { formatTable } from '../output/table.js';

/** One row of `experiment aging-rounds`: an era, a reclaim scope and a combiner, for N = 1..max. Kernel counterpart: none. */
export interface AgingRoundsRow {
  readonly era: Era;
  readonly reclaim: 'global' | 'memcg';
  /** `or` (the seed patch's `|`) or `short-circuit` (`||`: the hook skipped when the primary bit was young). */
  readonly combiner: AgingCombiner;
  /** Index i is N = i + 1 mappings: passes until the page was freed, split by LRU list. */
  readonly results: readonly { readonly mappings: number; readonly rounds: number; readonly inactive: number; readonly active: number; readonly freed: boolean }[];
}

const EXPERIMENTS = ['aging-rounds'] as const;

/**
 * The seed thread's `|` versus `||` table, from `agingRounds` runs: every era, global and
 * memcg reclaim (memcg from 2.6.25, so not in `rfc-2008`), both combiners, N = 1..max.
 * Kernel counterpart: none (see docs/aging.md).
 */
export async function agingRoundsTable(maxMappings: number): Promise<AgingRoundsRow[]> {
  const rows: AgingRoundsRow[] = [];
  for (const era of ERAS) {
    for (const reclaim of era === 'rfc-2008' ? (['global'] as const) : (['global', 'memcg'] as const)) {
      for (const combiner of ['or', 'short-circuit'] as const) {
        const results = [];
        for (let n = 1; n <= maxMappings; n++) {
          const r = await agingRounds({ mappings: n, combiner, era, reclaim });
          results.push({ mappings: n, rounds: r.rounds, inactive: r.inactive, active: r.active, freed: r.freed });
        }
        rows.push({ era, reclaim, combiner, results });
      }
    }
  }
  return rows;
}

/** `secondary-mmu experiment aging-rounds [--max-mappings N] [--json]`. Kernel counterpart: none. */
export async function experimentCommand(name: string, options: { readonly maxMappings?: string; readonly json?: boolean }, io: Io): Promise<ExitCode> {
  if (!EXPERIMENTS.includes(name as (typeof EXPERIMENTS)[number])) throw new CliError('unknown-experiment', name, `unknown experiment "${name}": one of ${EXPERIMENTS.join(', ')}`);
  const max = checkCount('--max-mappings', options.maxMappings, 8);
  if (max > 64) throw new CliError('bad-option', String(max), `--max-mappings must be at most 64, got ${max}`);
  const rows = await agingRoundsTable(max);
  if (options.json === true) {
    io.out(`${JSON.stringify({ experiment: 'aging-rounds', maxMappings: max, rows }, null, 2)}\n`);
    return EXIT.ok;
  }
  const header = ['era', 'reclaim', 'combiner', ...Array.from({ length: max }, (_, i) => `N=${i + 1}`)];
  io.out('Passes until an idle page mapped N times (each mapping with a young secondary bit) is freed: total (inactive+active)\n\n');
  io.out(formatTable(header, rows.map((r) => [r.era, r.reclaim, r.combiner === 'or' ? '|' : '||', ...r.results.map((x) => (x.freed ? `${x.rounds} (${x.inactive}+${x.active})` : 'not freed'))])));
  io.out(io.color.dim('\nWhat the numbers mean: docs/aging.md\n'));
  return EXIT.ok;
}

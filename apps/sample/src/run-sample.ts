import type { RunResult } from '@secondary-mmu/core-mm';
import { buildHost, type Host } from './host.js';
import { newJournal, type Journal } from './journal.js';
import { spawnTimeline } from './timeline.js';
import { workload } from './workload.js';

/** One run of the sample: the host, what its steps journaled, and the scheduler's result (verdict, violations, token). Kernel counterpart: none. */
export interface SampleRun {
  readonly host: Host;
  readonly journal: Journal;
  readonly run: RunResult;
}

/** How to run the sample. Kernel counterpart: none. */
export interface SampleOptions {
  /** The seed (default {@link DEFAULT_SEED}); ignored with `replay`. */
  readonly seed?: number;
  /** A replay token of an earlier run (of the same `xpmemWrites`). */
  readonly replay?: string;
  /** The xpmem importer writes too, as the other devices do (default false: see the README's finding). */
  readonly xpmemWrites?: boolean;
}

/** The seed the sample runs with by default. */
export const DEFAULT_SEED = 1;

/**
 * Run the workload once on a fresh host: from `seed`, or on the schedule a replay
 * token recorded (the same program, so the same steps, choices and figures). The
 * host process's threads are `cpu…`; the devices' tasks, kswapd, the migrating and the
 * OOM-killing tasks are kernel threads. Kernel counterpart: none.
 */
export async function runSample(options: SampleOptions = {}): Promise<SampleRun> {
  const xpmemWrites = options.xpmemWrites === true;
  const program = `apps/sample: one host, three drivers${xpmemWrites ? ', the importer writing' : ''}`;
  const host = await buildHost(options.replay !== undefined ? { replay: options.replay, program } : { seed: options.seed ?? DEFAULT_SEED, program });
  const journal = newJournal();
  const m = host.machine;
  spawnTimeline(m, workload(host, journal, { xpmemWrites }), (name, body) => {
    if (name.startsWith('cpu')) host.app.spawn(name, body);
    else m.sched.spawn(name, body);
  });
  const run = await m.sched.run();
  host.trace.detach();
  return { host, journal, run };
}

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

/** The seed the sample runs with by default. */
export const DEFAULT_SEED = 1;

/**
 * Run the workload once on a fresh host: from `seed`, or on the schedule a replay
 * token recorded (the same program, so the same steps, choices and figures). The
 * host process's threads are `cpu…`; the devices' tasks, kswapd, the migrating and the
 * OOM-killing tasks are kernel threads. Kernel counterpart: none.
 */
export async function runSample(options: { seed?: number; replay?: string } = {}): Promise<SampleRun> {
  const host = await buildHost(options.replay !== undefined ? { replay: options.replay } : { seed: options.seed ?? DEFAULT_SEED });
  const journal = newJournal();
  const m = host.machine;
  spawnTimeline(m, workload(host, journal), (name, body) => {
    if (name.startsWith('cpu')) host.app.spawn(name, body);
    else m.sched.spawn(name, body);
  });
  const run = await m.sched.run();
  host.trace.detach();
  return { host, journal, run };
}

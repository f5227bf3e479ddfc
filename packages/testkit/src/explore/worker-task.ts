import type { ArgumentProblem } from '../arguments.js';
import type { ConformanceCase } from '../conformance/report.js';
import type { PlannedCase } from '../conformance/plan.js';
import type { DriverReference } from './driver-reference.js';
import type { ScheduleBatchSpec, ScheduleSummary } from './schedule-summary.js';

/**
 * A job for a worker thread, as plain data: the driver by reference (a worker cannot be
 * handed a closure) and either a batch of schedule indices of an exploration or one
 * conformance case. Kernel counterpart: none (model machinery).
 */
export type WorkerTask =
  | { readonly kind: 'schedules'; readonly caller: string; readonly driver: DriverReference; readonly spec: ScheduleBatchSpec; readonly indices: readonly number[] }
  | {
      readonly kind: 'conformance-case';
      /** The function the user called, for the errors a worker reports. */
      readonly caller: string;
      readonly driver: DriverReference;
      readonly case: PlannedCase;
      readonly seeds: readonly number[];
      readonly strategy?: 'fifo' | 'random' | 'pct';
    };

/**
 * What a worker thread sends back: its answer, or the argument error it refused the task
 * with (a driver reference that does not load there), for the parent to throw as a
 * `TestkitArgumentError` again — errors lose their class crossing threads.
 */
export type WorkerReply = { readonly answer: ScheduleSummary[] | ConformanceCase } | { readonly refused: { readonly problem: ArgumentProblem; readonly path: string; readonly message: string } };

/** What a worker answers: a schedule batch's summaries (stopping after the first failure), or the judged case. */
export type WorkerAnswer<T extends WorkerTask> = T extends { kind: 'schedules' } ? ScheduleSummary[] : ConformanceCase;

import type { Era } from '@secondary-mmu/core-mm';
import { deviceHotEvictions } from './device-hot.js';
import type { CallbackRecord, TraceData } from './records.js';

/** An argument value in a Chrome trace event. */
export type ChromeArg = string | number | boolean | null;

/**
 * One event of the Chrome trace-event format: `X` complete (a callback that returned),
 * `B` begin (one still running), `i` instant (device access, scan, lifecycle step,
 * device-hot eviction), `M` metadata (process and thread names). `ts`/`dur` are
 * microseconds of virtual time.
 */
export interface ChromeTraceEvent {
  readonly name: string;
  readonly cat: string;
  readonly ph: 'X' | 'B' | 'i' | 'M';
  readonly ts: number;
  readonly dur?: number;
  readonly pid: number;
  readonly tid: number;
  /** Scope of an instant event: thread, process or global. */
  readonly s?: 't' | 'p' | 'g';
  readonly args: Readonly<Record<string, ChromeArg>>;
}

/** A trace in the Chrome trace-event format (JSON object form), for Perfetto and chrome://tracing. */
export interface ChromeTrace {
  readonly traceEvents: readonly ChromeTraceEvent[];
  readonly displayTimeUnit: 'ns';
  readonly otherData: { readonly era: Era; readonly seed: number };
}

/** pid of the simulated tasks; each task is a thread, `tid = taskId + 1`. */
export const CHROME_TASKS_PID = 1;
/** pid of what has no task: reclaim scans (tid 1) and lifecycle steps without a task (tid 2). */
export const CHROME_OBSERVATION_PID = 2;
const SCANS_TID = 1;
const LIFECYCLE_TID = 2;

const us = (ns: number): number => ns / 1000;
const hex = (n: number): string | null => (n < 0 ? null : `0x${n.toString(16)}`);

function callbackEvent(r: CallbackRecord): ChromeTraceEvent {
  const args = { id: r.id, driver: r.driver, mm: r.mm, start: hex(r.start), end: hex(r.end), pfn: r.pfn < 0 ? null : r.pfn, event: r.event, blockable: r.blockable, result: r.result, error: r.error };
  const base = { name: `${r.driver}:${r.callback}`, cat: 'mmu_notifier', ts: us(r.time) };
  if (r.returnTime === null) return { ...base, ph: 'B', pid: CHROME_TASKS_PID, tid: r.taskId + 1, args };
  return { ...base, ph: 'X', dur: us(r.returnTime - r.time), pid: CHROME_TASKS_PID, tid: r.taskId + 1, args };
}

/**
 * Convert a trace (live, or its JSON) to the Chrome trace-event format. One process
 * holds the tasks, one thread per task named after it; device accesses are instants on
 * the accessing task's thread; scans and task-less lifecycle steps go to a second
 * process; a device-hot eviction is a global instant right after its scan. Events follow
 * the trace's `seq` order, so the output is as deterministic as the trace.
 *
 * Kernel counterpart: loading an ftrace/`trace-cmd` capture into Perfetto. Difference:
 * time is virtual, so a callback that never suspends has duration 0.
 */
export function toChromeTrace(trace: TraceData, machine: { readonly era: Era; readonly seed: number }): ChromeTrace {
  const timed: [number, ChromeTraceEvent][] = [];
  const threads = new Map<number, string>();
  const thread = (taskId: number, name: string): number => {
    if (!threads.has(taskId)) threads.set(taskId, name);
    return taskId + 1;
  };
  for (const r of trace.callbacks) {
    thread(r.taskId, r.task);
    timed.push([r.seq, callbackEvent(r)]);
  }
  for (const a of trace.accesses) {
    const args = { id: a.id, device: a.device, mm: a.mm, address: hex(a.address), pfn: a.pfn, generation: a.generation, write: a.write };
    timed.push([a.seq, { name: `${a.device} ${a.write ? 'write' : 'read'}`, cat: 'device', ph: 'i', ts: us(a.time), pid: CHROME_TASKS_PID, tid: thread(a.taskId, a.task), s: 't', args }]);
  }
  for (const l of trace.lifecycle) {
    const where = l.taskId === null || l.task === null ? { pid: CHROME_OBSERVATION_PID, tid: LIFECYCLE_TID } : { pid: CHROME_TASKS_PID, tid: thread(l.taskId, l.task) };
    timed.push([l.seq, { name: `${l.driver} ${l.step}`, cat: 'lifecycle', ph: 'i', ts: us(l.time), ...where, s: 't', args: { driver: l.driver, mm: l.mm } }]);
  }
  for (const s of trace.scans) {
    timed.push([s.seq, { name: `scan ${s.verdict}`, cat: 'reclaim', ph: 'i', ts: us(s.time), pid: CHROME_OBSERVATION_PID, tid: SCANS_TID, s: 't', args: { pfn: s.pfn, generation: s.generation, verdict: s.verdict } }]);
  }
  for (const e of deviceHotEvictions(trace)) {
    const devices = [...new Set(e.accesses.map((a) => a.device))].join(', ');
    const args = { pfn: e.pfn, generation: e.generation, devices, accesses: e.accesses.map((a) => a.id).join(', ') };
    timed.push([e.scan.seq + 0.5, { name: 'device-hot eviction', cat: 'device-hot', ph: 'i', ts: us(e.time), pid: CHROME_OBSERVATION_PID, tid: SCANS_TID, s: 'g', args }]);
  }
  timed.sort((x, y) => x[0] - y[0]);
  const meta = (name: 'process_name' | 'thread_name', pid: number, tid: number, value: string): ChromeTraceEvent => ({ name, cat: '__metadata', ph: 'M', ts: 0, pid, tid, args: { name: value } });
  const metadata: ChromeTraceEvent[] = [
    meta('process_name', CHROME_TASKS_PID, 0, `tasks (${machine.era}, seed ${machine.seed})`),
    meta('process_name', CHROME_OBSERVATION_PID, 0, 'mm observation'),
    ...[...threads].map(([taskId, name]) => meta('thread_name', CHROME_TASKS_PID, taskId + 1, name)),
    meta('thread_name', CHROME_OBSERVATION_PID, SCANS_TID, 'reclaim scans'),
    meta('thread_name', CHROME_OBSERVATION_PID, LIFECYCLE_TID, 'notifier lifecycle'),
  ];
  return { traceEvents: [...metadata, ...timed.map(([, e]) => e)], displayTimeUnit: 'ns', otherData: { era: machine.era, seed: machine.seed } };
}

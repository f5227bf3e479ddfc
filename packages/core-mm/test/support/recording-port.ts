import type { Mm, MmuNotifierRange, SecondaryMmuPort, Task } from '../../src/index.js';

/** One port call as a test sees it: the callback, its arguments, and the caller's context. */
export interface PortCall {
  readonly op: 'release' | 'start' | 'end' | 'invalidate_page' | 'secondary_tlbs' | 'clear_flush_young';
  readonly mm: number;
  readonly start?: number;
  readonly end?: number;
  readonly event?: string;
  readonly blockable?: boolean;
  readonly held: readonly string[];
  readonly preemptCount: number;
  readonly rcuDepth: number;
  readonly nonBlockDepth: number;
}

/** A secondary-MMU port that records every call with the calling context. */
export class RecordingPort implements SecondaryMmuPort {
  readonly calls: PortCall[] = [];

  release(task: Task, mm: Mm): void {
    this.note(task, { op: 'release', mm: mm.id });
  }

  /** What `invalidateRangeStart` answers (0, or `EAGAIN` to play a failing subscriber). */
  startResult = 0;

  invalidateRangeStart(task: Task, range: MmuNotifierRange): number {
    this.note(task, { op: 'start', mm: range.mm.id, start: range.start, end: range.end, event: range.event, blockable: range.blockable });
    return this.startResult;
  }

  invalidateRangeEnd(task: Task, range: MmuNotifierRange): void {
    this.note(task, { op: 'end', mm: range.mm.id, start: range.start, end: range.end, event: range.event, blockable: range.blockable });
  }

  invalidatePage(task: Task, mm: Mm, address: number): void {
    this.note(task, { op: 'invalidate_page', mm: mm.id, start: address, end: address + 4096 });
  }

  /** Secondary accessed bits by `mm:address`; aging tests and clears them. */
  readonly young = new Set<string>();

  clearFlushYoung(task: Task, mm: Mm, start: number, end: number): boolean {
    this.note(task, { op: 'clear_flush_young', mm: mm.id, start, end });
    let any = false;
    for (let address = start; address < end; address += 4096) any = this.young.delete(`${mm.id}:${address}`) || any;
    return any;
  }

  archInvalidateSecondaryTlbs(task: Task, mm: Mm, start: number, end: number): void {
    this.note(task, { op: 'secondary_tlbs', mm: mm.id, start, end });
  }

  /** The calls' ops in order, e.g. `['start', 'secondary_tlbs', 'end']`. */
  ops(): string[] {
    return this.calls.map((c) => c.op);
  }

  clear(): void {
    this.calls.length = 0;
  }

  private note(task: Task, call: Omit<PortCall, 'held' | 'preemptCount' | 'rcuDepth' | 'nonBlockDepth'>): void {
    this.calls.push({ ...call, held: task.describeHeld(), preemptCount: task.preemptCount, rcuDepth: task.rcuDepth, nonBlockDepth: task.nonBlockDepth });
  }
}

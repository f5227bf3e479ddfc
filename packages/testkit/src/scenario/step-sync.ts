import { WaitQueue, type Task } from '@secondary-mmu/core-mm';
import { notifierCore } from '@secondary-mmu/mmu-notifier';
import { afterList, resolveStepRef, stepId } from './step-order.js';
import type { ScenarioStep } from './schema.js';
import { traceWatch } from './windows.js';
import type { ScenarioWorld } from './world.js';

/**
 * Event synchronisation of a scenario's steps (`after`, `await`), on the model's
 * scheduler: a waiting step sleeps on a `WaitQueue` (`wait_event()`) until what it waits
 * for has happened — never on a timer, so the order holds whatever the device's latency.
 * After every step completion and every trace event (callback call and return, device
 * access, lifecycle step, memory observation) the waiters whose condition now holds are
 * woken.
 * Kernel counterpart: none (a test harness's barrier); the wait itself is `wait_event()`.
 */
export class StepSync {
  private readonly completed = new Set<string>();
  /** Tasks that stopped early (a failed step): the index of their first step never run. */
  private readonly stoppedAt = new Map<string, number>();
  /** Each waiting step's queue and condition. */
  private readonly waiting = new Map<WaitQueue, () => boolean>();
  private readonly stop: (() => void)[] = [];

  constructor(private readonly world: ScenarioWorld) {
    const wake = (): void => this.wakeAll();
    this.stop.push(notifierCore(world.machine).listen({ onCall: wake, onReturn: wake, onLifecycle: wake, onDeviceAccess: wake }));
    this.stop.push(world.machine.mem.observers.subscribe(wake));
  }

  /** Stop listening (after the run). */
  detach(): void {
    for (const s of this.stop.splice(0)) s();
  }

  /** Step `index` of `task` completed (succeeded, or ended with an allowed error). */
  complete(task: string, index: number): void {
    this.completed.add(stepId(task, index));
    this.wakeAll();
  }

  /** `task` stopped before its step `index` (a failed step): its later steps never run. */
  stopped(task: string, index: number): void {
    this.stoppedAt.set(task, index);
    this.wakeAll();
  }

  /**
   * Wait, on `task`, until every step `step.after` names has completed and the trace
   * holds an event matching `step.await`. Resolves to null, or to why the step cannot
   * run: a step it waits for will never run (its task stopped early).
   */
  async waitFor(task: Task, step: ScenarioStep, self: string): Promise<string | null> {
    const s = this.world.scenario;
    const ids = afterList(step.after).map((ref) => resolveStepRef(s, ref)!); // checked at load
    const never = (): string | undefined => ids.find((id) => !this.completed.has(id) && this.willNeverRun(id));
    const ready = (): boolean => ids.every((id) => this.completed.has(id)) || never() !== undefined;
    await this.until(task, ready, `step ${self} after ${ids.join(', ')}`);
    const lost = never();
    if (lost !== undefined) return `waits for step ${lost}, which will never complete (its task stopped on a failed step)`;
    const element = step.await;
    if (element !== undefined) await this.until(task, traceWatch(this.world, element), `step ${self} awaiting a ${element.kind} event`);
    return null;
  }

  private willNeverRun(id: string): boolean {
    const dot = id.lastIndexOf('.');
    const at = this.stoppedAt.get(id.slice(0, dot));
    return at !== undefined && Number(id.slice(dot + 1)) >= at;
  }

  /** `wait_event()` on a queue of its own (named for deadlock reports); nothing when `ready` already holds, so no scheduling point is added. */
  private async until(task: Task, ready: () => boolean, what: string): Promise<void> {
    if (ready()) return;
    const queue = new WaitQueue(this.world.machine, what);
    this.waiting.set(queue, ready);
    try {
      await queue.waitEvent(task, ready);
    } finally {
      this.waiting.delete(queue);
    }
  }

  /**
   * Wake the waiters whose condition now holds — only those: a spurious wake-up would be
   * harmless (`wait_event()` re-checks) but would add a scheduling decision per trace
   * event, and every decision is one more a schedule (and its shrinking) must make.
   */
  private wakeAll(): void {
    for (const [q, ready] of this.waiting) if (ready()) q.wakeUp();
  }
}

import type { Machine, Task } from '@secondary-mmu/core-mm';

/** Virtual nanoseconds in a millisecond. */
export const MS = 1_000_000;

/** One step of the workload: at virtual time `at`, `actor` does `run`. Kernel counterpart: none. */
export interface Step {
  readonly at: number;
  readonly actor: string;
  readonly run: (task: Task) => unknown;
}

/**
 * Who each actor is: a thread of the host process (`cpu…`) or a bare kernel thread or
 * device engine. Kernel counterpart: none.
 */
export type Spawner = (name: string, body: (task: Task) => Promise<void>) => void;

/**
 * Spawn one task per actor that runs its steps in time order, sleeping (virtual time)
 * until each step's `at`. Steps of one actor never overlap: a step that overruns the
 * next one's time delays it. Kernel counterpart: none (the workload's conductor).
 */
export function spawnTimeline(machine: Machine, steps: readonly Step[], spawn: Spawner): void {
  const byActor = new Map<string, Step[]>();
  for (const s of [...steps].sort((a, b) => a.at - b.at)) {
    const list = byActor.get(s.actor) ?? [];
    list.push(s);
    byActor.set(s.actor, list);
  }
  for (const [actor, list] of byActor) {
    spawn(actor, async (task) => {
      for (const s of list) {
        const wait = s.at - machine.clock.now;
        if (wait > 0) await machine.sched.sleep(task, wait);
        await s.run(task);
      }
    });
  }
}

import { isSmmuError, PAGE_SIZE, pageReferenced, shrinkPage, walkPageTable, type Task } from '@secondary-mmu/core-mm';
import type { ScenarioStep, ScenarioTask } from './schema.js';
import { protBits, resolveAddress, type BuiltDriver, type ScenarioWorld } from './world.js';

/** A step ended otherwise than its scenario says (a value not expected). */
class StepMismatch extends Error {}

/**
 * Run a scenario task's steps in order on `task`. A step that throws an error whose code
 * its `allow` lists goes on to the next step; any other error, or a read whose value is
 * not its `expect`, is recorded in `world.failures` and ends the task (never thrown: a
 * throwing body would be a `task-error` oops rather than a step failure).
 */
export async function runSteps(world: ScenarioWorld, spec: ScenarioTask, task: Task, driver: BuiltDriver | undefined): Promise<void> {
  for (const [j, step] of spec.steps.entries()) {
    try {
      await runStep(world, step, task, driver);
    } catch (error) {
      if (isSmmuError(error) && (step.allow as readonly string[] | undefined)?.includes(error.code) === true) continue;
      const message = error instanceof Error ? error.message : String(error);
      world.failures.push(`task "${spec.name}" step ${j} (${step.op}): ${message}`);
      return;
    }
  }
}

function check(step: { at: string; expect?: number | undefined }, got: number): void {
  if (step.expect !== undefined && got !== step.expect) throw new StepMismatch(`read ${got} at ${step.at}, expected ${step.expect}`);
}

async function runStep(world: ScenarioWorld, step: ScenarioStep, task: Task, driver: BuiltDriver | undefined): Promise<void> {
  const m = world.machine;
  const mem = m.mem;
  const at = (text: string): number => resolveAddress(world, text).address;
  const dev = (): BuiltDriver => driver!; // device steps only run in device tasks (checked at load)
  switch (step.op) {
    case 'read':
      return check(step, await mem.read(task, at(step.at)));
    case 'write':
      return mem.write(task, at(step.at), step.value);
    case 'munmap':
      return mem.munmap(task, at(step.at), step.pages * PAGE_SIZE);
    case 'mprotect':
      return mem.mprotect(task, at(step.at), step.pages * PAGE_SIZE, protBits(step.prot));
    case 'madvise-dontneed':
      return mem.madvise(task, at(step.at), step.pages * PAGE_SIZE, 'dontneed');
    case 'fork': {
      const child = await mem.fork(task, step.child);
      world.processes.set(step.child, child);
      return;
    }
    case 'exit':
      return mem.exit(task);
    case 'reclaim':
      return reclaim(world, task, at(step.at), step.passes ?? 2);
    case 'writeback': {
      const file = world.mappings.get(step.mapping)!.file!;
      await mem.fsync(task, file);
      return;
    }
    case 'sleep':
      return m.sched.sleep(task, step.ns);
    case 'yield':
      return m.sched.yield(task);
    case 'device-read':
      return check(step, await dev().instance.read(task, at(step.at)));
    case 'device-write':
      return dev().instance.write(task, at(step.at), step.value);
    case 'device-prefetch': {
      const inst = dev().instance;
      if (inst.prefetch === undefined) {
        world.skipped.push(`${step.op} ${step.at}: driver has no prefetch`);
        return;
      }
      return inst.prefetch(task, at(step.at), step.pages);
    }
    case 'detach':
      return dev().instance.detach(task);
  }
}

/**
 * Reclaim the page mapped at `address` now: up to `passes` rounds of aging
 * (`page_referenced`, clearing young bits, the device's included) then `shrinkPage`
 * (allowed to write a dirty page back), until the page is freed. Nothing when no page
 * is mapped there.
 */
async function reclaim(world: ScenarioWorld, task: Task, address: number, passes: number): Promise<void> {
  const mm = task.mm!;
  const pfn = walkPageTable(mm, address)?.pfn;
  if (pfn === undefined) return;
  world.reclaimed.push({ mm: mm.id, address, pfn });
  const mem = world.machine.mem;
  for (let i = 0; i < passes; i++) {
    await pageReferenced(mem, task, pfn);
    if ((await shrinkPage(mem, task, pfn, { writePage: true })) === 'freed') return;
  }
}

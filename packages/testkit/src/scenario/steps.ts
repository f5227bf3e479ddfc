import { isSmmuError, MREMAP, outOfMemory, PAGE_SIZE, pageReferenced, shrinkPage, SmmuError, walkPageTable, type Task } from '@secondary-mmu/core-mm';
import { mmuNotifierClearYoung, mmuNotifierTestYoung } from '@secondary-mmu/mmu-notifier';
import type { ScenarioStep, ScenarioTask } from './schema.js';
import { stepId } from './step-order.js';
import type { StepSync } from './step-sync.js';
import { protBits, resolveAddress, type BuiltDriver, type ScenarioWorld } from './world.js';

/** A step ended otherwise than its scenario says (a value not expected). */
class StepMismatch extends Error {}

/**
 * Run a scenario task's steps in order on `task`. Before each step, wait for what its
 * `after` and `await` name (see {@link StepSync}). A step that throws an error whose code
 * its `allow` lists, or that is its `error`, completes and the task goes on; any other
 * error, a step with an `error` that succeeds, a read whose value is not its `expect`,
 * or a wait for a step that will never complete, is recorded in `world.failures` and
 * ends the task (never thrown: a throwing body would be a `task-error` oops rather than
 * a step failure).
 */
export async function runSteps(world: ScenarioWorld, spec: ScenarioTask, task: Task, driver: BuiltDriver | undefined, sync: StepSync): Promise<void> {
  for (const [j, step] of spec.steps.entries()) {
    const fail = (message: string): void => {
      world.failures.push(`task "${spec.name}" step ${j} (${step.op}${step.label === undefined ? '' : ` "${step.label}"`}): ${message}`);
      sync.stopped(spec.name, j);
    };
    const unreachable = await sync.waitFor(task, step, stepId(spec.name, j));
    if (unreachable !== null) return fail(unreachable);
    const mustFail: readonly string[] = step.error === undefined ? [] : typeof step.error === 'string' ? [step.error] : step.error;
    try {
      await runStep(world, step, task, driver);
    } catch (error) {
      if (isSmmuError(error) && (mustFail.includes(error.code) || (step.allow as readonly string[] | undefined)?.includes(error.code) === true)) {
        sync.complete(spec.name, j);
        continue;
      }
      return fail(error instanceof Error ? error.message : String(error));
    }
    if (mustFail.length > 0) return fail(`succeeded, expected ${mustFail.join(' or ')}`);
    sync.complete(spec.name, j);
  }
}

/**
 * The device's latency before a device step calls the driver: `access` ns, plus `fault`
 * ns when the access will fault (no translation of the page, or a read-only one for a
 * write; a prefetch always faults). Nothing at all when both are 0, so a run without
 * latency has exactly the scheduling points it had before latencies existed.
 */
async function deviceDelay(world: ScenarioWorld, task: Task, driver: BuiltDriver, step: ScenarioStep): Promise<void> {
  const { fault, access } = world.deviceLatency;
  if (fault === 0 && access === 0) return;
  let faults = step.op === 'device-prefetch';
  if (step.op === 'device-read' || step.op === 'device-write') {
    const h = driver.instance.device.lookup(driver.instance.mm, resolveAddress(world, step.at).address);
    faults = h === undefined || (step.op === 'device-write' && !h.writable);
  }
  const ns = access + (faults ? fault : 0);
  if (ns > 0) await world.machine.sched.sleep(task, ns);
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
    case 'mremap':
      return void (await mem.mremap(task, at(step.at), step.pages * PAGE_SIZE, (step.newPages ?? step.pages) * PAGE_SIZE, MREMAP.maymove | MREMAP.fixed, at(step.to)));
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
      return reclaim(world, task, step.at, step.passes ?? 2);
    case 'writeback': {
      const file = world.mappings.get(step.mapping)!.file!;
      await mem.fsync(task, file);
      return;
    }
    case 'age': {
      // One page_referenced pass (clear_flush_young on every mapping, devices' included).
      const pfn = mappedPage(world, step.at)?.pfn;
      if (pfn !== undefined) await pageReferenced(mem, task, pfn);
      return;
    }
    case 'clear-young': {
      // v6 idle tracking / MGLRU's walk: the secondaries' young bits over a range, cleared.
      const start = at(step.at);
      await mmuNotifierClearYoung(task, task.mm!, start, start + step.pages * PAGE_SIZE);
      return;
    }
    case 'test-young': {
      const young = await mmuNotifierTestYoung(task, task.mm!, at(step.at));
      if (step.expect !== undefined && young !== step.expect) throw new StepMismatch(`test_young(${step.at}) answered ${young}, expected ${step.expect}`);
      return;
    }
    case 'oom-kill':
      return oomKill(world, task, step.victim);
    case 'sleep':
      return m.sched.sleep(task, step.ns);
    case 'yield':
      return m.sched.yield(task);
    case 'device-read':
      await deviceDelay(world, task, dev(), step);
      return check(step, await dev().instance.read(task, at(step.at)));
    case 'device-write':
      await deviceDelay(world, task, dev(), step);
      return dev().instance.write(task, at(step.at), step.value);
    case 'device-prefetch': {
      const inst = dev().instance;
      if (inst.prefetch !== undefined) await deviceDelay(world, task, dev(), step);
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
 * The page mapped at `text` in its mapping's own process (reclaim and aging scan any
 * process's memory, as kswapd does), or undefined when none is (or the process exited).
 */
function mappedPage(world: ScenarioWorld, text: string): { mm: number; address: number; pfn: number } | undefined {
  const { address, mapping } = resolveAddress(world, text);
  const mm = mapping.process.mm;
  const pfn = mm === null ? undefined : walkPageTable(mm, address)?.pfn;
  return mm === null || pfn === undefined ? undefined : { mm: mm.id, address, pfn };
}

/**
 * Reclaim the page mapped at `text` now: up to `passes` rounds of aging
 * (`page_referenced`, clearing young bits, the device's included: `shrink_active_list`
 * deactivating it) then `shrinkPage` (`shrink_folio_list`, which checks the bits again
 * and may write a dirty page back), until the page is freed — so a page is evicted when
 * nobody used it between the two scans. Nothing when no page is mapped there.
 */
async function reclaim(world: ScenarioWorld, task: Task, text: string, passes: number): Promise<void> {
  const target = mappedPage(world, text);
  if (target === undefined) return;
  world.reclaimed.push(target);
  const mem = world.machine.mem;
  const generation = mem.frames.generation[target.pfn];
  for (let i = 0; i < passes; i++) {
    // The step holds no reference between passes: once the frame was freed (by exit,
    // say) it may be someone else's page, and kswapd would not be scanning it for us.
    if (mem.frames.generation[target.pfn] !== generation) return;
    await pageReferenced(mem, task, target.pfn);
    if ((await shrinkPage(mem, task, target.pfn, { writePage: true })) === 'freed') return;
  }
}

/**
 * `out_of_memory()` from `task`: kill the process with the most resident memory other
 * than the task's own (in v6 the OOM reaper first unmaps its private memory with
 * non-blockable ranges). ENOMEM when there is nobody to kill; a mismatch when `victim`
 * names another process than the one picked.
 */
async function oomKill(world: ScenarioWorld, task: Task, victim: string | undefined): Promise<void> {
  const expected = victim === undefined ? undefined : world.processes.get(victim);
  const r = await outOfMemory(world.machine.mem, task);
  if (r.victim === null) throw new SmmuError('ENOMEM', 'oom-kill: no process to kill (every other process has no resident memory)');
  if (victim !== undefined && r.victim !== expected) throw new StepMismatch(`oom-kill killed "${r.victim.name}", expected "${victim}"`);
}

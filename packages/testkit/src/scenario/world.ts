import { MAP, PAGE_SIZE, PROT, type Inode, type Machine, type Process, type RunResult, type Task } from '@secondary-mmu/core-mm';
import type { NotifierTrace } from '@secondary-mmu/mmu-notifier';
import { watchUndeclaredBlocking } from '../capability-checks.js';
import type { DriverFactory, DriverInstance } from '../contract.js';
import { parseAddress } from './address.js';
import type { DeviceLatency } from './device-latency.js';
import type { Scenario, ScenarioDriver, ScenarioMapping } from './schema.js';

/** A mapping as built: where it is and what backs it. */
export interface BuiltMapping {
  readonly spec: ScenarioMapping;
  readonly process: Process;
  /** Its start address. */
  readonly base: number;
  /** Id of the mm it was made in: windows still name it after the process exited. */
  readonly mmId: number;
  readonly file: Inode | null;
}

/** A driver entry as built: the instance and the names its notifier callbacks carry in the trace. */
export interface BuiltDriver {
  readonly spec: ScenarioDriver;
  readonly instance: DriverInstance;
  /** Subscriber names its attach registered (the trace's `driver` field); the device's name when none was seen. */
  readonly subscribers: readonly string[];
}

/** A page a `reclaim` step scanned: lets a window's `scan { at }` name it by address. */
export interface ReclaimTarget {
  readonly mm: number;
  readonly address: number;
  readonly pfn: number;
}

/** Everything a scenario run built on its machine, and what its steps record. */
export interface ScenarioWorld {
  /** The scenario being run. */
  readonly scenario: Scenario;
  /** The device latency of this run (see `RunScenarioOptions.deviceLatency`). */
  readonly deviceLatency: Required<DeviceLatency>;
  readonly machine: Machine;
  readonly trace: NotifierTrace;
  readonly processes: Map<string, Process>;
  readonly mappings: ReadonlyMap<string, BuiltMapping>;
  readonly drivers: ReadonlyMap<string, BuiltDriver>;
  readonly reclaimed: ReclaimTarget[];
  /** Steps that failed unexpectedly (an error not allowed, a value not expected). */
  readonly failures: string[];
  /** Steps skipped (e.g. a prefetch the driver does not implement). */
  readonly skipped: string[];
}

/** The address of `text` (`buf[2]`) in `world`. */
export function resolveAddress(world: Pick<ScenarioWorld, 'mappings'>, text: string): { address: number; mapping: BuiltMapping } {
  const a = parseAddress(text);
  const mapping = world.mappings.get(a.mapping)!; // checked at load
  return { address: mapping.base + a.page * PAGE_SIZE, mapping };
}

const PROTS = { r: PROT.read, rw: PROT.read | PROT.write, none: PROT.none } as const;

/** `r`/`rw`/`none` → `PROT_*` bits. */
export function protBits(prot: keyof typeof PROTS): number {
  return PROTS[prot];
}

const FLAGS = {
  'anon-private': MAP.private | MAP.anonymous,
  'anon-shared': MAP.shared | MAP.anonymous,
  'file-shared': MAP.shared,
  'file-private': MAP.private,
} as const;

/**
 * A scenario's world before any driver attaches: its machine and trace, its processes
 * with their direct `setup` tasks, files and mappings. What a world template holds
 * (see `world-template.ts`): it is the same for every run but for the seed.
 */
export interface SetUpWorld {
  readonly machine: Machine;
  readonly trace: NotifierTrace;
  readonly processes: Map<string, Process>;
  /** Each process's direct task of the set-up, by process name (drivers attach on it). */
  readonly setup: ReadonlyMap<string, Task>;
  readonly mappings: ReadonlyMap<string, BuiltMapping>;
}

/**
 * Build a scenario's processes, files and mappings on `machine` with direct tasks
 * (one `setup` task per process), before any scheduled task exists. Files are created
 * on demand, sized to the largest mapping of them. A mapping with `fill` is mapped
 * read-write, page i written (anon) or backed (file) with `fill + i` and faulted in,
 * then given its protection.
 */
export async function setUpWorld(machine: Machine, trace: NotifierTrace, scenario: Scenario): Promise<SetUpWorld> {
  const mem = machine.mem;
  const processes = new Map<string, Process>();
  for (const p of scenario.processes) processes.set(p.name, mem.createProcess(p.name));
  const setup = new Map([...processes].map(([name, proc]) => [name, proc.task(`${name}:setup`)]));

  const sizes = new Map<string, number>();
  for (const m of scenario.mappings) if (m.file !== undefined) sizes.set(m.file, Math.max(sizes.get(m.file) ?? 0, m.pages));
  const files = new Map([...sizes].map(([name, pages]) => [name, mem.createFile(name, pages * PAGE_SIZE)]));

  const mappings = new Map<string, BuiltMapping>();
  for (const m of scenario.mappings) {
    const process = processes.get(m.process)!;
    const t = setup.get(m.process)!;
    const file = m.file === undefined ? null : files.get(m.file)!;
    const fill = m.fill;
    const prot = fill === undefined ? protBits(m.prot) : protBits('rw');
    if (file !== null && fill !== undefined) for (let i = 0; i < m.pages; i++) file.backing.set(i, fill + i);
    const base = await mem.mmap(t, { length: m.pages * PAGE_SIZE, prot, flags: FLAGS[m.kind], ...(file === null ? {} : { file }) });
    if (fill !== undefined) {
      for (let i = 0; i < m.pages; i++) {
        if (file === null) await mem.write(t, base + i * PAGE_SIZE, fill + i);
        else await mem.read(t, base + i * PAGE_SIZE);
      }
      if (m.prot !== 'rw') await mem.mprotect(t, base, m.pages * PAGE_SIZE, protBits(m.prot));
    }
    mappings.set(m.name, { spec: m, process, base, mmId: process.mm!.id, file });
  }
  return { machine, trace, processes, setup, mappings };
}

/**
 * Attach the scenario's driver instances to a set-up world, each on its process's
 * `setup` task, and give the world a run records into. A driver's `attach` runs
 * outside any run, so the scheduler cannot see it block: it is awaited with
 * `Scheduler.awaitDirect`, and one that never settles ends the set-up with the aborted
 * result it gives (an `uncontrolled-await` violation) instead of hanging the runner.
 */
export async function attachDrivers(built: SetUpWorld, scenario: Scenario, driver: DriverFactory, deviceLatency: Required<DeviceLatency>): Promise<{ readonly world: ScenarioWorld } | { readonly aborted: RunResult }> {
  const { machine, trace, processes, setup, mappings } = built;
  const drivers = new Map<string, BuiltDriver>();
  for (const d of scenario.drivers) {
    const proc = processes.get(d.process)!;
    const before = trace.lifecycle.length;
    const task = setup.get(d.process)!;
    const attached = await machine.sched.awaitDirect(task, driver.attach(task, machine, proc.mm!), `attach of driver "${driver.name}" (scenario driver "${d.name}")`);
    if (!attached.settled) return { aborted: attached.result };
    const instance = attached.value;
    watchUndeclaredBlocking(machine, driver.name, driver.capabilities, instance); // any factory, not only defineDriver's
    const subscribers = trace.lifecycle
      .slice(before)
      .filter((l) => l.step === 'registered' && l.mm === instance.mm.id)
      .map((l) => l.driver);
    drivers.set(d.name, { spec: d, instance, subscribers: subscribers.length > 0 ? subscribers : [instance.device.name] });
  }
  return { world: { scenario, deviceLatency, machine, trace, processes, mappings, drivers, reclaimed: [], failures: [], skipped: [] } };
}

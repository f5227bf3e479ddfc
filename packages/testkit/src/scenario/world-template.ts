import { GraphTemplate, Machine, type Era, type ScheduleOptions } from '@secondary-mmu/core-mm';
import { configureNotifiers, NotifierTrace } from '@secondary-mmu/mmu-notifier';
import { failFor } from '../arguments.js';
import { show } from '../show.js';
import { framesFor } from './frames.js';
import type { Scenario } from './schema.js';
import { setUpWorld, type SetUpWorld } from './world.js';

/**
 * Where a run's set-up world comes from (`RunScenarioOptions.world`):
 *
 * - `build`: built from nothing (a machine, then every mapping faulted in through the
 *   model), as always;
 * - `copy`: built once per scenario, era, program and schedule options (a template,
 *   never run), and copied for each run (`GraphTemplate`), the copy reseeded to the
 *   run's seed (`Machine.reseed`); a set-up that cannot be copied is a `GraphCopyError`;
 * - `auto` (the default): `copy` when the set-up is large enough for a copy to be the
 *   cheaper of the two ({@link COPY_FROM_PAGES}) and it can be copied, else `build`.
 *
 * Both give byte-identical runs (same trace, token, verdict and violations: the
 * testkit's `restored-world` test checks every registry scenario), so the choice is
 * one of speed only. A replayed run always builds: a token may name other preemption
 * classes than the template was made with. Kernel counterpart: none.
 */
export type WorldSource = 'auto' | 'build' | 'copy';

const WORLD_SOURCES: readonly unknown[] = ['auto', 'build', 'copy'] satisfies WorldSource[];

/** `value` as a world source (`auto` when undefined), or a `bad-world` argument error naming it. */
export function checkWorldSource(fn: string, value: unknown, path: string): WorldSource {
  if (value === undefined) return 'auto';
  if (!WORLD_SOURCES.includes(value)) failFor(fn)('bad-world', path, `must be one of ${WORLD_SOURCES.join(', ')}, got ${show(value)}`);
  return value as WorldSource;
}

/**
 * Under `auto`, a set-up that faults in at least this many pages is copied. Copying
 * costs about as much as building a scenario with no filled page (the machine's frame
 * table is most of both); each filled page adds a fault through the model to a build
 * and nothing measurable to a copy. Measured by the testkit's `bench:world` script
 * (`bench/world-source.mjs`). Kernel counterpart: none.
 */
export const COPY_FROM_PAGES = 32;

/** What a run's set-up is made from. */
export interface SetUpRequest {
  readonly scenario: Scenario;
  readonly era: Era;
  readonly schedule: ScheduleOptions;
  readonly program: string;
  readonly seed: number;
  readonly replay: string | undefined;
}

/**
 * The set-up world for one run, built or copied as `source` says. Not `async` itself:
 * a build is every run's path, and each `async` layer would add microtask hops to it.
 */
export function setUpFor(request: SetUpRequest, source: WorldSource): Promise<SetUpWorld> {
  if (request.replay !== undefined || source === 'build' || (source === 'auto' && filledPages(request.scenario) < COPY_FROM_PAGES)) return build(request);
  return copy(request, source === 'copy');
}

async function copy(request: SetUpRequest, required: boolean): Promise<SetUpWorld> {
  const template = await templateFor(request, required);
  if (template === null) return build(request);
  const world = template.copy();
  world.machine.reseed({ seed: request.seed });
  return world;
}

/** A fresh machine with the scenario's notifier configuration and trace, set up. */
function build(r: SetUpRequest): Promise<SetUpWorld> {
  const machine = new Machine({
    era: r.era,
    schedule: r.schedule,
    program: r.program,
    ...(r.replay === undefined ? { seed: r.seed } : { replay: r.replay }),
    memory: { frames: framesFor(r.scenario) },
  });
  if (r.scenario.kernel?.releaseOrder !== undefined) configureNotifiers(machine, { releaseOrder: r.scenario.kernel.releaseOrder });
  return setUpWorld(machine, NotifierTrace.attach(machine), r.scenario);
}

/**
 * Templates by scenario, then by what else their machine was made from. A validated
 * scenario is frozen and kept by whoever runs it, so its templates live as long as it
 * does. `null`: the set-up cannot be copied (it holds a closure or object a copy cannot
 * remake), so `auto` builds.
 */
const templates = new WeakMap<Scenario, Map<string, GraphTemplate<SetUpWorld> | null>>();

async function templateFor(r: SetUpRequest, required: boolean): Promise<GraphTemplate<SetUpWorld> | null> {
  let byKey = templates.get(r.scenario);
  if (byKey === undefined) templates.set(r.scenario, (byKey = new Map<string, GraphTemplate<SetUpWorld> | null>()));
  const key = `${r.era}\n${JSON.stringify(r.schedule)}\n${r.program}`;
  let template = byKey.get(key);
  if (template === undefined || (template === null && required)) {
    const world = await build(r);
    try {
      template = new GraphTemplate(world);
    } catch (error) {
      if (required) throw error;
      template = null;
    }
    byKey.set(key, template);
  }
  return template;
}

/** Pages the set-up faults in, what a build costs beyond its machine: once per (frozen) scenario. */
function filledPages(s: Scenario): number {
  let pages = filled.get(s);
  if (pages === undefined) {
    pages = 0;
    for (const m of s.mappings) if (m.fill !== undefined) pages += m.pages;
    filled.set(s, pages);
  }
  return pages;
}

const filled = new WeakMap<Scenario, number>();

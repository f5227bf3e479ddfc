import type { Scenario } from './schema.js';

/** Frames for a scenario that names none: room for every page four times over, at least this. */
export const MIN_SCENARIO_FRAMES = 256;

/**
 * The physical frames a run of `s` gets: `memory.frames` when given, else four frames
 * for every page its mappings and steps name (COW copies, the page cache, a moved or
 * grown range, driver pages), rounded up to a power of two, at least
 * {@link MIN_SCENARIO_FRAMES}. Sized to the scenario because every frame costs a
 * column entry in each frame table a run allocates (flags, counts, LRU links and an
 * eight-entry history): a 4,096-frame machine costs more to build than a small
 * scenario costs to run. Deterministic in the scenario alone, so a token replays.
 */
export function framesFor(s: Scenario): number {
  if (s.memory !== undefined) return s.memory.frames;
  let frames = sized.get(s);
  if (frames === undefined) sized.set(s, (frames = count(s)));
  return frames;
}

/** Each validated scenario's frame count, once: it is frozen, and every run of it asks. */
const sized = new WeakMap<Scenario, number>();

function count(s: Scenario): number {
  let pages = 0;
  for (const m of s.mappings) pages += m.pages;
  for (const t of s.tasks) for (const step of t.steps) pages += stepPages(step);
  let frames = MIN_SCENARIO_FRAMES;
  while (frames < 4 * pages) frames *= 2;
  return frames;
}

function stepPages(step: Scenario['tasks'][number]['steps'][number]): number {
  const s = step as { pages?: number; newPages?: number };
  return Math.max(s.pages ?? 0, s.newPages ?? 0);
}

import { parseAddress } from './address.js';
import { DEVICE_OPS, MAX_WORD, type Scenario, type ScenarioMapping, type WindowElement } from './schema.js';
import type { RawIssue } from './raw-issue.js';
import { checkStepOrder } from './step-order.js';

export type { RawIssue } from './raw-issue.js';

/**
 * The checks a schema cannot make: unique names, cross-references (a mapping's process,
 * a task's process or driver, a window's driver), addresses inside their mapping and
 * in the task's own address space, steps that fit their task, a `fill` whose last
 * page's word still fits in 32 bits. Returns every issue.
 */
export function checkReferences(s: Scenario): RawIssue[] {
  const issues: RawIssue[] = [];
  const add = (path: readonly PropertyKey[], message: string): void => void issues.push({ path, message });
  const unique = (list: readonly { name: string }[], key: string, what: string): void => {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      if (seen.has(x.name)) add([key, i, 'name'], `duplicate ${what} name "${x.name}"`);
      seen.add(x.name);
    });
  };
  unique(s.processes, 'processes', 'process');
  unique(s.mappings, 'mappings', 'mapping');
  unique(s.drivers, 'drivers', 'driver');
  unique(s.tasks, 'tasks', 'task');
  // Stryker disable next-line ArrayDeclaration: a one-element list has no duplicate name
  unique(s.windows ?? [], 'windows', 'window');

  const processes = new Set(s.processes.map((p) => p.name));
  const mappings = new Map(s.mappings.map((m) => [m.name, m]));
  const drivers = new Map(s.drivers.map((d) => [d.name, d]));
  const known = (set: { has(k: string): boolean }, value: string, path: readonly PropertyKey[], what: string): boolean => {
    if (set.has(value)) return true;
    add(path, `unknown ${what} "${value}"`);
    return false;
  };

  s.mappings.forEach((m, i) => {
    known(processes, m.process, ['mappings', i, 'process'], 'process');
    const fileKind = m.kind.startsWith('file-');
    if (fileKind && m.file === undefined) add(['mappings', i, 'kind'], `a ${m.kind} mapping needs a file`);
    if (!fileKind && m.file !== undefined) add(['mappings', i, 'file'], `an ${m.kind} mapping takes no file (got "${m.file}")`);
    // Page i holds fill + i: the last page's word must fit too.
    if (m.fill !== undefined && m.fill + m.pages - 1 > MAX_WORD) {
      add(['mappings', i, 'fill'], `fill ${m.fill} over ${m.pages} pages puts ${m.fill + m.pages - 1} in the last page, beyond an unsigned 32-bit word (at most ${MAX_WORD})`);
    }
  });
  s.drivers.forEach((d, i) => known(processes, d.process, ['drivers', i, 'process'], 'process'));

  /** Check `text` names a page (and `pages` more) of a mapping of `owner` (when given). */
  const addressOk = (text: string, path: readonly PropertyKey[], owner: string | undefined, pages = 1, spill = false): ScenarioMapping | undefined => {
    const a = parseAddress(text);
    const m = mappings.get(a.mapping);
    if (m === undefined) {
      add(path, `unknown mapping "${a.mapping}" in address "${text}"`);
      return undefined;
    }
    if (a.page + pages > m.pages && !(spill && a.page + pages - m.pages <= pagesAbove(s.mappings, m))) {
      add(path, pages === 1 ? `page ${a.page} of "${text}" is beyond mapping "${m.name}" (${m.pages} pages)` : `"${text}" + ${pages} pages runs beyond mapping "${m.name}" (${m.pages} pages)`);
    }
    if (owner !== undefined && m.process !== owner) add(path, `"${text}" is in process "${m.process}", not this task's "${owner}"`);
    return m;
  };

  const children = new Set(s.tasks.flatMap((t) => t.steps.flatMap((st) => (st.op === 'fork' ? [st.child] : []))));
  s.tasks.forEach((t, i) => {
    const hasP = t.process !== undefined;
    const hasD = t.driver !== undefined;
    if (hasP === hasD) {
      add(['tasks', i], `task "${t.name}" needs exactly one of process (a CPU task) and driver (a device task)`);
      return;
    }
    let owner: string | undefined;
    if (t.process !== undefined) {
      if (known(processes, t.process, ['tasks', i, 'process'], 'process')) owner = t.process;
    } else if (t.driver !== undefined) {
      const d = drivers.get(t.driver);
      // Stryker disable next-line OptionalChaining: known() holds only when the driver is in the map
      if (known(drivers, t.driver, ['tasks', i, 'driver'], 'driver')) owner = d?.process;
    }
    t.steps.forEach((st, j) => {
      const path = ['tasks', i, 'steps', j];
      const deviceOp = (DEVICE_OPS as readonly string[]).includes(st.op);
      if (hasD && !deviceOp && st.op !== 'sleep' && st.op !== 'yield') add([...path, 'op'], `"${st.op}" is a CPU step; task "${t.name}" is a device task`);
      if (hasP && deviceOp) add([...path, 'op'], `"${st.op}" is a device step; task "${t.name}" is a CPU task`);
      // reclaim and age scan any process's pages (kswapd's view); other steps their own.
      const anyProcess = st.op === 'reclaim' || st.op === 'age';
      // A munmap may run on into the mappings built right above (see pagesAbove).
      if ('at' in st) addressOk(st.at, [...path, 'at'], anyProcess ? undefined : owner, 'pages' in st ? st.pages : 1, st.op === 'munmap');
      if (st.op === 'mremap') addressOk(st.to, [...path, 'to'], owner, st.newPages ?? st.pages, false);
      if (st.op === 'writeback') {
        const m = mappings.get(st.mapping);
        if (known(mappings, st.mapping, [...path, 'mapping'], 'mapping') && m !== undefined) {
          if (m.file === undefined) add([...path, 'mapping'], `mapping "${m.name}" has no file to write back`);
          if (owner !== undefined && m.process !== owner) add([...path, 'mapping'], `mapping "${m.name}" is in process "${m.process}", not "${owner}"`);
        }
      }
      if (st.op === 'oom-kill' && st.victim !== undefined) {
        if (!processes.has(st.victim) && !children.has(st.victim)) add([...path, 'victim'], `unknown process "${st.victim}"`);
        // out_of_memory() here never picks the allocating process (see outOfMemory).
        else if (st.victim === t.process) add([...path, 'victim'], `"${st.victim}" is the task's own process, which the OOM killer never picks here`);
      }
      if (st.op === 'fork' && processes.has(st.child)) add([...path, 'child'], `child "${st.child}" is already a process name`);
    });
  });

  for (const era of Object.keys(s.expect?.eras ?? {})) {
    if (s.eras !== undefined && !(s.eras as readonly string[]).includes(era)) add(['expect', 'eras', era], `era "${era}" is not one of the scenario's (${s.eras.join(', ')})`);
  }

  /** A window element's (or an `await`'s) names: its driver known, its address inside a mapping. */
  const elementOk = (e: WindowElement, path: readonly PropertyKey[]): void => {
    if (e.kind === 'access') {
      if (e.device !== undefined) known(drivers, e.device, [...path, 'device'], 'driver');
      if (e.at !== undefined) addressOk(e.at, [...path, 'at'], undefined);
    } else if (e.kind === 'lifecycle') {
      if (e.driver !== undefined) known(drivers, e.driver, [...path, 'driver'], 'driver');
    } else if (e.kind === 'callback') {
      if (e.driver !== undefined) known(drivers, e.driver, [...path, 'driver'], 'driver');
      if (e.covers !== undefined) addressOk(e.covers, [...path, 'covers'], undefined);
    } else if (e.at !== undefined) addressOk(e.at, [...path, 'at'], undefined);
  };
  (s.windows ?? []).forEach((w, i) => w.pattern.forEach((e, j) => elementOk(e, ['windows', i, 'pattern', j])));
  s.tasks.forEach((t, i) => t.steps.forEach((st, j) => st.await !== undefined && elementOk(st.await, ['tasks', i, 'steps', j, 'await'])));
  issues.push(...checkStepOrder(s));
  return issues;
}

/**
 * Pages mapped without a gap right above `m`: the world builds a process's mappings in
 * order, each directly below the one before (top-down `mmap`), so these are the pages
 * of the process's mappings listed before `m`, nearest first.
 */
function pagesAbove(all: readonly ScenarioMapping[], m: ScenarioMapping): number {
  let n = 0;
  for (const x of all.slice(0, all.indexOf(m))) if (x.process === m.process) n += x.pages;
  return n;
}

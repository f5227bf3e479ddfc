import type { RawIssue } from './raw-issue.js';
import type { Scenario } from './schema.js';

/** `task.index`: how a step is named when it has no label (and its id either way). */
export const stepId = (task: string, index: number): string => `${task}.${index}`;

const TASK_INDEX = /^(.+)\.(\d+)$/;

/**
 * The id (`task.index`) of the step `ref` names in `s` — its `label`, or its `task.index`
 * — or undefined when no step has that name.
 */
export function resolveStepRef(s: Scenario, ref: string): string | undefined {
  for (const t of s.tasks) {
    const j = t.steps.findIndex((st) => st.label === ref);
    if (j >= 0) return stepId(t.name, j);
  }
  const m = TASK_INDEX.exec(ref);
  if (m === null) return undefined;
  const task = s.tasks.find((t) => t.name === m[1]);
  const index = Number(m[2]);
  return task !== undefined && index < task.steps.length ? stepId(task.name, index) : undefined;
}

/** A step's `after` as a list. */
export const afterList = (after: string | readonly string[] | undefined): readonly string[] => (after === undefined ? [] : typeof after === 'string' ? [after] : after);

/**
 * The load-time checks of step synchronisation: labels unique and not readable as
 * another step's `task.index`; every `after` names a step; and no wait cycle — steps
 * run in order within their task, and a step waits for every step its `after` names,
 * so a cycle through those edges (a step waiting for itself, for a later step of its
 * own task, or two tasks waiting for each other) would deadlock every run. Waits for
 * trace events (`await`) cannot be checked here: a run whose awaited event never comes
 * ends in the scheduler's `deadlock` violation.
 */
export function checkStepOrder(s: Scenario): RawIssue[] {
  const issues: RawIssue[] = [];
  const labels = new Map<string, string>();
  const tasks = new Set(s.tasks.map((t) => t.name));
  s.tasks.forEach((t, i) =>
    t.steps.forEach((st, j) => {
      if (st.label === undefined) return;
      const path = ['tasks', i, 'steps', j, 'label'];
      const m = TASK_INDEX.exec(st.label);
      if (labels.has(st.label)) issues.push({ path, message: `duplicate step label "${st.label}" (also step ${labels.get(st.label)})` });
      else if (m !== null && tasks.has(m[1]!)) issues.push({ path, message: `step label "${st.label}" reads as task.index of task "${m[1]}": pick another label` });
      labels.set(st.label, stepId(t.name, j));
    }),
  );
  if (issues.length > 0) return issues;

  // The wait graph: each step depends on its predecessor in the task and on its `after` steps.
  const deps = new Map<string, { id: string; path: readonly PropertyKey[] }[]>();
  s.tasks.forEach((t, i) =>
    t.steps.forEach((st, j) => {
      const id = stepId(t.name, j);
      const list = j > 0 ? [{ id: stepId(t.name, j - 1), path: ['tasks', i, 'steps', j] }] : [];
      const refs = afterList(st.after);
      refs.forEach((ref, k) => {
        const path = typeof st.after === 'string' ? ['tasks', i, 'steps', j, 'after'] : ['tasks', i, 'steps', j, 'after', k];
        const target = resolveStepRef(s, ref);
        if (target === undefined) issues.push({ path, message: `unknown step "${ref}": no step has this label, and it names no step as task.index (e.g. ${stepId(t.name, 0)})` });
        else list.push({ id: target, path });
      });
      deps.set(id, list);
    }),
  );
  if (issues.length > 0) return issues;
  const cycle = findCycle(deps);
  if (cycle !== null) issues.push({ path: cycle.path, message: `wait cycle: ${cycle.ids.join(' → ')} (each waits for the next; no run could finish)` });
  return issues;
}

/** The first dependency cycle (as ids, the first repeated at the end) and the path of the `after` that closes it, or null. */
function findCycle(deps: ReadonlyMap<string, readonly { id: string; path: readonly PropertyKey[] }[]>): { ids: string[]; path: readonly PropertyKey[] } | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): { ids: string[]; path: readonly PropertyKey[] } | null => {
    state.set(id, 'open');
    stack.push(id);
    for (const d of deps.get(id) ?? []) {
      if (state.get(d.id) === 'open') {
        // The stack from d.id on: each step waits for the next, and the last for d.id.
        return { ids: [...stack.slice(stack.indexOf(d.id)), d.id], path: d.path };
      }
      if (state.get(d.id) === undefined) {
        const found = visit(d.id);
        if (found !== null) return found;
      }
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const id of deps.keys()) {
    if (state.get(id) !== undefined) continue;
    const found = visit(id);
    if (found !== null) return found;
  }
  return null;
}

import type { Task } from './task.js';

/**
 * A cycle in the wait-for graph among blocked tasks (task -> holders of what it waits
 * for), or an empty list when there is none. Used only to explain a deadlock.
 */
export function findWaitCycle(blocked: readonly Task[]): Task[] {
  const state = new Map<Task, 'open' | 'closed'>();
  const stack: Task[] = [];
  const visit = (t: Task): Task[] | null => {
    state.set(t, 'open');
    stack.push(t);
    for (const h of t.waitingOn?.holders() ?? []) {
      if (h.state !== 'blocked') continue;
      const s = state.get(h);
      if (s === 'open') return stack.slice(stack.indexOf(h));
      if (s === undefined) {
        const found = visit(h);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(t, 'closed');
    return null;
  };
  for (const t of blocked) {
    if (state.has(t)) continue;
    const cycle = visit(t);
    if (cycle) return cycle;
  }
  return [];
}

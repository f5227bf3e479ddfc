import { brandClass, SmmuError } from '@secondary-mmu/core-mm';

/** One problem found in a scenario: where (field path, line when known) and what. */
export interface ScenarioIssue {
  /** The field path, e.g. `tasks[0].steps[1].at` (empty for the document itself). */
  readonly path: string;
  /** 1-based line in the source text (YAML, or JSON), or null when not known (an object built in code). */
  readonly line: number | null;
  /** What is wrong, naming the offending value. */
  readonly message: string;
}

/**
 * A scenario that does not load or does not fit the run asked for. An `SmmuError` with
 * code `EINVAL` (match with `isSmmuError(e, 'EINVAL')`), carrying every issue found;
 * its message lists them as `source:line: path: message`. Thrown before anything is
 * built, so a rejected scenario leaves no machine, process or driver behind.
 */
export class ScenarioError extends SmmuError {
  /** Every issue, in document order. */
  readonly issues: readonly ScenarioIssue[];

  constructor(source: string, issues: readonly ScenarioIssue[]) {
    super('EINVAL', `invalid scenario ${source}:\n${issues.map((i) => `  ${formatIssue(source, i)}`).join('\n')}`);
    this.issues = issues;
  }
}
brandClass(ScenarioError, '@secondary-mmu/testkit:ScenarioError');

/** `source:line: path: message`, leaving out what is unknown. */
export function formatIssue(source: string, issue: ScenarioIssue): string {
  const where = issue.line === null ? source : `${source}:${issue.line}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

/** `['tasks', 0, 'at']` → `tasks[0].at`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { checkReferences, type RawIssue } from './check.js';
import { formatPath, ScenarioError, type ScenarioIssue } from './errors.js';
import { lineOf } from './lines.js';
import { scenarioSchema, type Scenario } from './schema.js';

/** How {@link loadScenario} reads its text. */
export interface LoadScenarioOptions {
  /** `yaml` (default; JSON is YAML too) or `json` (strict JSON syntax, positions still reported). */
  readonly format?: 'yaml' | 'json';
  /** A name for the text in error messages (a file name); default `<scenario>`. */
  readonly source?: string;
}

/**
 * Parse and validate a scenario (YAML or JSON text). Every problem is collected and
 * thrown at once as a {@link ScenarioError} (`EINVAL`) whose issues name the field path,
 * the line, and the offending value: syntax errors, schema errors (zod), then
 * cross-reference errors (`checkReferences`).
 */
export function loadScenario(text: string, options: LoadScenarioOptions = {}): Scenario {
  const source = options.source ?? '<scenario>';
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const syntax: ScenarioIssue[] = doc.errors.map((e) => ({ path: '', line: counter.linePos(e.pos[0]).line, message: e.message.split('\n')[0]! }));
  if (options.format === 'json' && syntax.length === 0) {
    try {
      JSON.parse(text);
    } catch (e) {
      syntax.push({ path: '', line: null, message: `not JSON: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  if (syntax.length > 0) throw new ScenarioError(source, syntax);
  const value: unknown = doc.toJS();
  return validate(value, source, (path, key) => lineOf(doc, counter, path, key));
}

/**
 * Validate a scenario object built in code (no lines in its issues). What
 * {@link runScenario} does to whatever it is given, so a bad value never builds anything.
 */
export function parseScenario(value: unknown, source = '<scenario>'): Scenario {
  return validate(value, source, () => null);
}

function validate(value: unknown, source: string, line: (path: readonly PropertyKey[], key?: string) => number | null): Scenario {
  const parsed = scenarioSchema.safeParse(value);
  if (!parsed.success) throw new ScenarioError(source, parsed.error.issues.map((i) => zodIssue(i, value, line)));
  const refs = checkReferences(parsed.data);
  if (refs.length > 0) throw new ScenarioError(source, refs.map((i: RawIssue) => ({ path: formatPath(i.path), line: line(i.path), message: i.message })));
  return parsed.data;
}

function zodIssue(issue: z.core.$ZodIssue, root: unknown, line: (path: readonly PropertyKey[], key?: string) => number | null): ScenarioIssue {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    return { path: formatPath(path), line: line(path, keys[0]), message: `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}` };
  }
  const got = valueAt(root, path);
  const shown = got === undefined ? 'missing' : `got ${describe(got)}`;
  return { path: formatPath(path), line: line(path), message: `${issue.message} (${shown})` };
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object' && v !== null) return 'an object';
  return JSON.stringify(v) ?? String(v);
}

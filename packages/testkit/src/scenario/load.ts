import { LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { show } from '../show.js';
import { checkReferences, type RawIssue } from './check.js';
import { formatPath, ScenarioError, type ScenarioIssue } from './errors.js';
import { lineOf } from './lines.js';
import { SCENARIO_FORMAT_VERSION, scenarioSchema, type Scenario } from './schema.js';

/** How {@link loadScenario} reads its text. */
export interface LoadScenarioOptions {
  /** `yaml` (default; JSON is YAML too) or `json` (strict JSON syntax, positions still reported). */
  readonly format?: 'yaml' | 'json';
  /** A name for the text in error messages (a file name); default `<scenario>`. */
  readonly source?: string;
}

/**
 * Most alias expansions a scenario's YAML may make, weighted by the aliases inside what
 * each expands (the yaml library's `maxAliasCount`). Anchors and aliases are allowed; a
 * document whose aliases multiply (a "billion laughs") is refused rather than expanded.
 */
export const MAX_SCENARIO_ALIASES = 100;

/**
 * Parse and validate a scenario: YAML or JSON text, or its UTF-8 bytes (a `Buffer` from
 * `readFileSync(file)`, a `Uint8Array`; a byte-order mark is dropped). Every problem is
 * collected and thrown at once as a {@link ScenarioError} (`EINVAL`) whose issues name
 * the field path, the line, and the offending value: input that is not text, bytes that
 * are not UTF-8, syntax errors, aliases that expand too much
 * ({@link MAX_SCENARIO_ALIASES}), a newer format `version`, schema errors (zod), then
 * cross-reference errors (`checkReferences`).
 */
export function loadScenario(text: string | Uint8Array, options: LoadScenarioOptions = {}): Scenario {
  const source = options.source ?? '<scenario>';
  const input = textOf(text, source);
  const counter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(input, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    throw new ScenarioError(source, [{ path: '', line: null, message: `not parseable as YAML: ${messageOf(e)}` }]);
  }
  const syntax: ScenarioIssue[] = doc.errors.map((e) => ({ path: '', line: counter.linePos(e.pos[0]).line, message: e.message.split('\n')[0]! }));
  if (options.format === 'json' && syntax.length === 0) {
    try {
      JSON.parse(input);
    } catch (e) {
      syntax.push({ path: '', line: null, message: `not JSON: ${messageOf(e)}` });
    }
  }
  if (syntax.length > 0) throw new ScenarioError(source, syntax);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_SCENARIO_ALIASES });
  } catch (e) {
    const alias = firstAlias(doc);
    const line = alias === null ? null : counter.linePos(alias).line;
    const message = /alias count/i.test(messageOf(e))
      ? `its aliases expand too much (more than ${MAX_SCENARIO_ALIASES} expansions, weighted by the aliases they contain: a "billion laughs"); the first alias is on this line`
      : messageOf(e);
    throw new ScenarioError(source, [{ path: '', line, message }]);
  }
  return validate(value, source, (path, key) => lineOf(doc, counter, path, key));
}

/**
 * Validate a scenario object built in code (no lines in its issues). What
 * {@link runScenario} does to whatever it is given, so a bad value never builds anything.
 * The result (as {@link loadScenario}'s) is deep-frozen: build a changed scenario with
 * spreads (`{ ...s, eras: ['v6'] }`). Passing a validated scenario back returns it as is.
 */
export function parseScenario(value: unknown, source = '<scenario>'): Scenario {
  if (isValidated(value)) return value;
  return validate(value, source, () => null);
}

/**
 * Scenarios this module validated: deep-frozen, so none can have changed since, and
 * an exploration that hands the same object to thousands of runs validates it once.
 */
const validated = new WeakSet<object>();

function isValidated(value: unknown): value is Scenario {
  return typeof value === 'object' && value !== null && validated.has(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The text of `text`: a string as it is, bytes decoded as UTF-8; anything else refused. */
function textOf(text: unknown, source: string): string {
  if (typeof text === 'string') return text;
  if (text instanceof Uint8Array) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(text);
    } catch {
      // The first invalid sequence shows as U+FFFD in a lenient decoding: name its line.
      const lenient = new TextDecoder('utf-8').decode(text);
      const at = lenient.indexOf('\uFFFD');
      const line = at < 0 ? null : lenient.slice(0, at).split('\n').length;
      throw new ScenarioError(source, [{ path: '', line, message: `not UTF-8 text: ${text.length} bytes with an invalid UTF-8 sequence${line === null ? '' : ' on this line'}` }]);
    }
  }
  const hint = typeof text === 'object' && text !== null ? ' (for a scenario object, use parseScenario)' : '';
  throw new ScenarioError(source, [{ path: '', line: null, message: `expected YAML or JSON text (a string, or UTF-8 bytes such as a Buffer), got ${show(text)}${hint}` }]);
}

/** The offset of the document's first alias node, or null. */
function firstAlias(doc: Document): number | null {
  let at: number | null = null;
  visit(doc, {
    Alias(_key, node) {
      at = node.range?.[0] ?? null;
      return visit.BREAK;
    },
  });
  return at;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function validate(value: unknown, source: string, line: (path: readonly PropertyKey[], key?: string) => number | null): Scenario {
  const version = newerVersion(value);
  if (version !== undefined) {
    throw new ScenarioError(source, [
      { path: 'version', line: line(['version']), message: `format version ${version} is newer than this testkit reads (${SCENARIO_FORMAT_VERSION}): upgrade @secondary-mmu/testkit` },
    ]);
  }
  const parsed = scenarioSchema.safeParse(value);
  if (!parsed.success) throw new ScenarioError(source, parsed.error.issues.map((i) => zodIssue(i, value, line)));
  const refs = checkReferences(parsed.data);
  if (refs.length > 0) throw new ScenarioError(source, refs.map((i: RawIssue) => ({ path: formatPath(i.path), line: line(i.path), message: i.message })));
  const scenario = deepFreeze(parsed.data);
  validated.add(scenario);
  return scenario;
}

/**
 * The document's `version` when it is a format newer than this testkit's: reported
 * alone, since a newer document's other fields would only add confusing errors.
 */
function newerVersion(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = (value as { version?: unknown }).version;
  return typeof v === 'number' && Number.isSafeInteger(v) && v > SCENARIO_FORMAT_VERSION ? v : undefined;
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

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadScenario, type Scenario } from '@secondary-mmu/testkit';
import { CliError } from '../cli-error.js';
import { findScenario, namedScenarios } from './catalogue.js';

/**
 * A scenario as the CLI ran it, and how a token names it again: by catalogue name, or by
 * its file's text (so the token replays without the file). Kernel counterpart: none.
 */
export interface ResolvedScenario {
  readonly scenario: Scenario;
  readonly source: { readonly name: string } | { readonly file: string; readonly text: string };
}

/** True when `value` names a file rather than a catalogue scenario. */
function looksLikeFile(value: string): boolean {
  return value.includes('/') || value.includes('\\') || /\.(ya?ml|json)$/i.test(value);
}

/**
 * A scenario file, loaded: a missing or unreadable file is a `missing-file` error; a bad
 * one the testkit's `ScenarioError`, every issue with its field and line. Kernel
 * counterpart: none.
 */
export function loadScenarioFile(file: string, cwd: string = process.cwd()): ResolvedScenario {
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new CliError('missing-file', file, `cannot read scenario file ${file}: ${code === 'ENOENT' ? 'no such file' : String(code ?? error)}`);
  }
  return { scenario: loadScenario(text, { source: file }), source: { file, text } };
}

/**
 * `value` as a scenario: a catalogue name, else a file path (`.yaml`, `.yml`, `.json`, or
 * anything with a path separator). An unknown name is an `unknown-scenario` error
 * listing how to see the names. Kernel counterpart: none.
 */
export function resolveScenario(value: string, cwd?: string): ResolvedScenario {
  const named = findScenario(value);
  if (named !== undefined) return { scenario: named.scenario, source: { name: named.name } };
  if (looksLikeFile(value)) return loadScenarioFile(value, cwd);
  const near = namedScenarios()
    .map((s) => s.name)
    .filter((n) => n.includes(value) || value.includes(n));
  throw new CliError('unknown-scenario', value, `unknown scenario "${value}"${near.length > 0 ? ` (did you mean ${near.join(', ')}?)` : ''}: \`secondary-mmu scenarios\` lists them, or give a .yaml file`);
}

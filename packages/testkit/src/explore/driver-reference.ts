import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkFactory, failFor } from '../arguments.js';
import type { DriverFactory } from '../contract.js';
import { show } from '../show.js';
import { isTestkitArgumentError } from './argument-error.js';

/**
 * Where a driver can be imported from: a worker thread cannot be handed a driver object
 * (its `attach` is a closure), so it imports the driver by this reference instead.
 * `module` is a package specifier (`'@secondary-mmu/testkit'`), an absolute path, or a
 * `file:` URL of built JavaScript; `export` is the name of the `DriverFactory` it
 * exports. A reference driver: `{ module: '@secondary-mmu/testkit', export: 'classicMirror' }`.
 * A package specifier is resolved from the testkit's own files, so name your own driver
 * by absolute path or file URL. Kernel counterpart: none (model machinery).
 */
export interface DriverReference {
  /** A package specifier, an absolute path, or a `file:` URL of a JavaScript module. */
  readonly module: string;
  /** The name under which the module exports its `DriverFactory`. */
  readonly export: string;
}

/** True when `value` looks like a {@link DriverReference} (an object with a string `module`), not a factory. */
export function isDriverReference(value: unknown): value is DriverReference {
  return typeof value === 'object' && value !== null && typeof (value as { module?: unknown }).module === 'string' && !('attach' in value);
}

/**
 * `value` checked as a {@link DriverReference}: an object with non-empty `module` and
 * `export` strings, the module a package specifier, an absolute path or a file URL (a
 * relative path would depend on where the worker runs). Throws `bad-driver-reference`.
 */
export function checkDriverReference(fn: string, value: unknown, where = 'driver'): DriverReference {
  const fail = failFor(fn);
  const expected = 'a driver reference { module, export } (module: a package name, an absolute path or a file: URL of built JavaScript)';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('bad-driver-reference', where, `expected ${expected}, got ${show(value)}`);
  const r = value as Record<string, unknown>;
  if (typeof r.module !== 'string' || r.module === '') fail('bad-driver-reference', `${where}.module`, `expected ${expected}: module must be a non-empty string, got ${show(r.module)}`);
  if (typeof r.export !== 'string' || r.export === '') fail('bad-driver-reference', `${where}.export`, `expected ${expected}: export must be a non-empty string, got ${show(r.export)}`);
  const m = r.module as string;
  if (m.startsWith('./') || m.startsWith('../')) fail('bad-driver-reference', `${where}.module`, `${show(m)} is a relative path: give an absolute path or a file: URL (a worker resolves nothing relative to your file)`);
  return { module: m, export: r.export as string };
}

/** What `import()` is given for `module`: absolute paths become file URLs (Windows drive letters included). */
function importSpecifier(module: string): string {
  return path.isAbsolute(module) ? pathToFileURL(module).href : module;
}

/**
 * Import the module `ref` names and return its export, checked as a `DriverFactory`.
 * A malformed reference, a module that does not load, a missing export or one that is
 * not a `DriverFactory` throw a `TestkitArgumentError` (`EINVAL`, `bad-driver-reference`)
 * naming the module and the export. Kernel counterpart: none (model machinery: how a
 * worker thread gets the driver under test).
 */
export async function loadDriver(ref: DriverReference, fn = 'loadDriver', where = 'driver'): Promise<DriverFactory> {
  const r = checkDriverReference(fn, ref, where);
  const fail = failFor(fn);
  const named = `export "${r.export}" of module "${r.module}"`;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(importSpecifier(r.module))) as Record<string, unknown>;
  } catch (error) {
    return fail('bad-driver-reference', `${where}.module`, `cannot import module "${r.module}" for export "${r.export}": ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!(r.export in mod)) fail('bad-driver-reference', `${where}.export`, `module "${r.module}" has no export "${r.export}" (it exports ${Object.keys(mod).slice(0, 12).join(', ') || 'nothing'})`);
  try {
    return checkFactory(fn, mod[r.export], `${where}.export`);
  } catch (error) {
    if (!isTestkitArgumentError(error)) throw error;
    return fail('bad-driver-reference', `${where}.export`, `${named} is not a DriverFactory: ${error.message}`);
  }
}

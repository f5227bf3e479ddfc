import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CreateError } from './errors.js';
import { checkPackageName } from './package-name.js';
import { driverPackageJson } from './package-json.js';
import { parseTemplate, templatesDir, type TemplateName } from './templates.js';

/** What {@link createDriverPackage} needs. Kernel counterpart: none. */
export interface CreateOptions {
  /** The directory to create the package in: absent or empty. */
  readonly directory: string;
  /** The package name (npm's rules for new packages). */
  readonly name: string;
  /** The driver shape. */
  readonly template: string;
}

/** What was generated. Kernel counterpart: none. */
export interface CreatedPackage {
  readonly directory: string;
  readonly name: string;
  readonly template: TemplateName;
  /** The files written, relative to `directory`, sorted. */
  readonly files: readonly string[];
}

// npm never packs a file named .gitignore: the templates ship it as _gitignore.
const RENAMED: Readonly<Record<string, string>> = { _gitignore: '.gitignore' };

/** Files whose `{{name}}` and `{{template}}` are filled in. */
const RENDERED = new Set(['README.md']);

/**
 * Scaffold a driver package: the common files (tsconfig, changesets, .gitignore) and
 * the template's own (`src/`, the conformance test, README), then package.json. Every
 * argument is checked before anything is written: a bad name or template, or a
 * `directory` that exists and is not empty, is a {@link CreateError} and leaves the
 * disk as it was. Kernel counterpart: none.
 */
export function createDriverPackage(options: CreateOptions): CreatedPackage {
  const template = parseTemplate(options.template);
  const name = checkPackageName(options.name);
  const directory = path.resolve(options.directory);
  checkTarget(directory, options.directory);

  mkdirSync(directory, { recursive: true });
  for (const source of ['common', template]) cpSync(path.join(templatesDir(), source), directory, { recursive: true });
  for (const [from, to] of Object.entries(RENAMED)) {
    if (existsSync(path.join(directory, from))) renameSync(path.join(directory, from), path.join(directory, to));
  }
  for (const file of RENDERED) {
    const target = path.join(directory, file);
    writeFileSync(target, readFileSync(target, 'utf8').replaceAll('{{name}}', name).replaceAll('{{template}}', template));
  }
  writeFileSync(path.join(directory, 'package.json'), `${JSON.stringify(driverPackageJson(name, template), null, 2)}\n`);
  return { directory, name, template, files: listFiles(directory) };
}

function checkTarget(directory: string, given: string): void {
  if (!existsSync(directory)) return;
  if (!statSync(directory).isDirectory()) throw new CreateError('EINVAL', 'not-a-directory', given, `"${given}" exists and is not a directory`);
  if (readdirSync(directory).length > 0) throw new CreateError('EEXIST', 'directory-not-empty', given, `"${given}" is not empty: choose a new or empty directory (nothing was overwritten)`);
}

function listFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(root, path.join(dir, entry.name)) : [path.join(dir, entry.name).split(path.sep).join('/')]))
    .sort();
}

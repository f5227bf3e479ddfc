// The packages a release publishes, found from the root package.json's `workspaces`:
// every workspace package that is not `private`. A new package under packages/ joins
// the release checks by existing; nothing here names one.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Workspace directories (relative to `root`) holding a package.json; patterns `dir/*` or `dir`. */
export function workspaceDirs(root = repoRoot) {
  const dirs = [];
  for (const pattern of readJson(path.join(root, 'package.json')).workspaces ?? []) {
    if (pattern.endsWith('/*') && !pattern.slice(0, -2).includes('*')) {
      const parent = pattern.slice(0, -2);
      if (!existsSync(path.join(root, parent))) continue;
      for (const entry of readdirSync(path.join(root, parent), { withFileTypes: true })) {
        if (entry.isDirectory() && existsSync(path.join(root, parent, entry.name, 'package.json'))) dirs.push(`${parent}/${entry.name}`);
      }
    } else if (!pattern.includes('*')) {
      if (existsSync(path.join(root, pattern, 'package.json'))) dirs.push(pattern);
    } else {
      throw new Error(`unsupported workspace pattern "${pattern}" in package.json`);
    }
  }
  return dirs.sort();
}

/**
 * One entry point of a package: its `exports` subpath, the specifier a user writes,
 * and whether CommonJS may `require` it (an entry with only an `import` condition is
 * ESM only by design, such as a vitest integration).
 */
function entryPoints(pkg) {
  const entries = [];
  for (const [subpath, target] of Object.entries(pkg.exports ?? { '.': pkg.main ?? 'index.js' })) {
    const file = typeof target === 'string' ? target : undefined;
    if (subpath === './package.json' || (file !== undefined && !/\.[cm]?js$/.test(file))) continue;
    const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const requirable = typeof target === 'string' || 'require' in target || 'default' in target;
    entries.push({ subpath, specifier, requirable });
  }
  return entries;
}

/** The published (non-private) workspace packages, sorted by directory. */
export function publishedPackages(root = repoRoot) {
  return workspaceDirs(root)
    .map((dir) => ({ dir, pkg: readJson(path.join(root, dir, 'package.json')) }))
    .filter(({ pkg }) => pkg.private !== true)
    .map(({ dir, pkg }) => ({ dir, name: pkg.name, version: pkg.version, pkg, entries: entryPoints(pkg), bins: Object.keys(typeof pkg.bin === 'string' ? { [pkg.name.split('/').pop()]: pkg.bin } : (pkg.bin ?? {})) }));
}

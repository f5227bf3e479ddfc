// The first release, rehearsed on a throwaway copy of the repository: the pending
// changesets are versioned there (`changeset version`) and the copy is what gets
// published. The repository's own package.json files, changesets and changelogs are
// never touched.
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { run } from './release-pack.mjs';
import { repoRoot, workspaceDirs } from './release-workspaces.mjs';

const SKIP = new Set(['node_modules', '.turbo', 'test-results.json', 'coverage']);
export const changesetBin = path.join(repoRoot, 'node_modules', '.bin', 'changeset');

/** Copies what a release reads (root manifest, .changeset, every workspace package with its build) into `dir`. */
export function copyForRelease(dir) {
  mkdirSync(dir, { recursive: true });
  for (const file of ['package.json', 'LICENSE', '.changeset']) cpSync(path.join(repoRoot, file), path.join(dir, file), { recursive: true });
  for (const ws of workspaceDirs()) {
    cpSync(path.join(repoRoot, ws), path.join(dir, ws), { recursive: true, filter: (src) => !SKIP.has(path.basename(src)) });
  }
  // The changelog generator and the changesets CLI resolve from the copy's root.
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
}

const versionOf = (dir, ws) => JSON.parse(readFileSync(path.join(dir, ws, 'package.json'), 'utf8'));

/**
 * `changeset version` in the copy; returns each published package's version before
 * and after, and throws when one reaches 1.0 or did not move.
 */
export function versionCopy(dir) {
  const before = new Map(workspaceDirs(dir).map((ws) => [ws, versionOf(dir, ws)]));
  run(changesetBin, ['version'], { cwd: dir, env: { ...process.env, CI: 'true' } });
  const moves = [];
  for (const [ws, pkg] of before) {
    if (pkg.private === true) continue;
    const after = versionOf(dir, ws).version;
    moves.push({ name: pkg.name, from: pkg.version, to: after });
    if (Number(after.split('.')[0]) >= 1) throw new Error(`${pkg.name} would be released as ${after} (>= 1.0.0)`);
    if (after === pkg.version) throw new Error(`${pkg.name} was not bumped by the pending changesets (still ${after})`);
  }
  return moves;
}

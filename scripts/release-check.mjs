#!/usr/bin/env node
// `npm run release:check`: what a stranger gets from `npm install`, checked on the
// packed tarballs. Builds (turbo: instant when cached), packs every published workspace
// package, runs publint --strict and attw on each tarball, installs them into a fresh
// project and uses them from ESM, CommonJS and TypeScript (see release-consumer.mjs),
// then prints each tarball's size. Options: --keep (keep the temporary directory).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkConsumer } from './release-consumer.mjs';
import { lintTarballs } from './release-lint.mjs';
import { formatSizes, packAll, run } from './release-pack.mjs';
import { publishedPackages, repoRoot } from './release-workspaces.mjs';

const started = Date.now();
const keep = process.argv.includes('--keep');
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'smmu-release-check-'));
let ok = false;
try {
  run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: repoRoot });
  console.log(`release:check: built (${seconds()})`);
  const packages = publishedPackages();
  console.log(`release:check: ${packages.length} published packages: ${packages.map((p) => p.name).join(', ')}`);
  const tarballs = packAll(packages, tmp);
  console.log(`packed (${seconds()})`);
  const failed = await lintTarballs(packages, tarballs);
  if (failed.length > 0) throw new Error(`publint or attw failed for ${failed.join(', ')}`);
  console.log(`linted (${seconds()})`);
  checkConsumer(path.join(tmp, 'consumer'), packages, tarballs);
  console.log(`consumer checked (${seconds()})\n\n${formatSizes(tarballs)}\n`);
  ok = true;
  console.log(`release:check: OK in ${seconds()}`);
} catch (error) {
  console.error(`release:check: FAIL: ${error.message}`);
  process.exitCode = 1;
} finally {
  if (keep || !ok) console.error(`release:check: temporary directory kept at ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

#!/usr/bin/env node
// Proves that a `minor` changeset keeps every @secondary-mmu package below 1.0.
//
// Works on a throw-away copy: the repo's package.json files and .changeset/
// are copied into a temp dir (no node_modules), synthetic dependent packages
// are added (a regular dependency and an internal peer dependency on the core,
// the shapes that make changesets jump 0.x dependents to 1.0.0), a changeset
// bumping every @secondary-mmu package by `minor` is written, and the repo's
// own `changeset version` runs there. Fails if any resulting version is >= 1.
// The real repository is never modified.
//
// Options: --keep (keep the temp dir), --peer-range=RANGE (peer range used by
// the synthetic dependents; default ">=0.1.0 <1", try "^0.1.0" to see it fail).

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'check-changeset-version';
const SCOPE = '@secondary-mmu/';
const CORE = '@secondary-mmu/core-mm';
/** The synthetic dependents this check adds to its copy (never real packages). */
const PROBES = [`${SCOPE}probe-dependent`, `${SCOPE}probe-peer`];

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const peerRange = args.find((a) => a.startsWith('--peer-range='))?.slice('--peer-range='.length) ?? '>=0.1.0 <1';

class CheckFailure extends Error {}
function fail(message) {
  throw new CheckFailure(message);
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));
const writeJson = (file, value) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
};

/** Workspace directories (relative to `root`) that contain a package.json. */
function workspaceDirs(root) {
  const patterns = readJson(path.join(root, 'package.json')).workspaces ?? [];
  const dirs = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*') && !pattern.slice(0, -2).includes('*')) {
      const parent = pattern.slice(0, -2);
      const abs = path.join(root, parent);
      if (!existsSync(abs)) continue;
      for (const entry of readdirSync(abs, { withFileTypes: true })) {
        if (entry.isDirectory() && existsSync(path.join(abs, entry.name, 'package.json'))) {
          dirs.push(`${parent}/${entry.name}`);
        }
      }
    } else if (!pattern.includes('*')) {
      if (existsSync(path.join(root, pattern, 'package.json'))) dirs.push(pattern);
    } else {
      fail(`unsupported workspace pattern "${pattern}" in package.json`);
    }
  }
  return dirs.sort();
}

const major = (version) => {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) fail(`cannot parse version "${version}"`);
  return Number(m[1]);
};

function main() {
  const changesetBin = path.join(repoRoot, 'node_modules', '.bin', process.platform === 'win32' ? 'changeset.cmd' : 'changeset');
  if (!existsSync(changesetBin)) fail(`${changesetBin} not found; run \`npm ci\` first`);
  if (!existsSync(path.join(repoRoot, '.changeset', 'config.json'))) fail('.changeset/config.json not found');

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'smmu-changeset-'));
  try {
    // 1. Copy package.json files and .changeset/ (no node_modules).
    cpSync(path.join(repoRoot, 'package.json'), path.join(tmp, 'package.json'));
    const realDirs = workspaceDirs(repoRoot);
    for (const dir of realDirs) {
      mkdirSync(path.join(tmp, dir), { recursive: true });
      cpSync(path.join(repoRoot, dir, 'package.json'), path.join(tmp, dir, 'package.json'));
    }
    cpSync(path.join(repoRoot, '.changeset'), path.join(tmp, '.changeset'), { recursive: true });

    // The changelog generator is resolved from the cwd; there is no
    // node_modules in the copy, so point it at the repo's installation.
    const configPath = path.join(tmp, '.changeset', 'config.json');
    const config = readJson(configPath);
    const changelog = Array.isArray(config.changelog) ? config.changelog[0] : config.changelog;
    if (typeof changelog === 'string' && !changelog.startsWith('.') && !path.isAbsolute(changelog)) {
      const resolved = path.join(repoRoot, 'node_modules', changelog);
      if (Array.isArray(config.changelog)) config.changelog[0] = resolved;
      else config.changelog = resolved;
      writeJson(configPath, config);
    }

    const coreDir = realDirs.find((dir) => readJson(path.join(repoRoot, dir, 'package.json')).name === CORE);
    if (!coreDir) fail(`${CORE} not found in the workspaces`);
    const coreVersion = readJson(path.join(repoRoot, coreDir, 'package.json')).version;

    // 2. Synthetic dependents of the core.
    writeJson(path.join(tmp, 'packages', 'probe-dependent', 'package.json'), {
      name: PROBES[0],
      version: '0.1.0',
      dependencies: { [CORE]: `^${coreVersion}` },
      peerDependencies: { [CORE]: peerRange },
      devDependencies: { [CORE]: peerRange },
    });
    writeJson(path.join(tmp, 'packages', 'probe-peer', 'package.json'), {
      name: PROBES[1],
      version: '0.1.0',
      peerDependencies: { [CORE]: peerRange },
      devDependencies: { [CORE]: peerRange },
    });

    // 3. A minor changeset for every @secondary-mmu package.
    const tmpDirs = workspaceDirs(tmp);
    const before = new Map();
    for (const dir of tmpDirs) {
      const pkg = readJson(path.join(tmp, dir, 'package.json'));
      if (pkg.name?.startsWith(SCOPE)) before.set(pkg.name, { dir, version: pkg.version });
    }
    const frontmatter = [...before.keys()].map((name) => `"${name}": minor`).join('\n');
    writeFileSync(
      path.join(tmp, '.changeset', 'zz-check-changeset-version.md'),
      `---\n${frontmatter}\n---\n\nSynthetic minor bump (scripts/check-changeset-version.mjs).\n`,
    );

    // 4. Run the repo's changeset CLI in the copy.
    const run = spawnSync(changesetBin, ['version'], {
      cwd: tmp,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', TURBO_TELEMETRY_DISABLED: '1' },
    });
    if (run.status !== 0) {
      process.stderr.write(run.stdout ?? '');
      process.stderr.write(run.stderr ?? '');
      fail(`\`changeset version\` exited with ${run.status ?? run.signal} in ${tmp}`);
    }

    // 5. Every version must stay below 1.0.0, and must actually have moved.
    const problems = [];
    const summary = [];
    const probeSummary = [];
    for (const [name, { dir, version: from }] of before) {
      const to = readJson(path.join(tmp, dir, 'package.json')).version;
      (PROBES.includes(name) ? probeSummary : summary).push(`${name.slice(SCOPE.length)} ${from}->${to}`);
      if (major(to) >= 1) problems.push(`${name} would be released as ${to} (>= 1.0.0)`);
      else if (to === from) problems.push(`${name} was not bumped (still ${to}); the changeset was not applied`);
    }
    if (problems.length > 0) {
      fail(`a minor changeset must keep every package below 1.0.0:\n  ${problems.join('\n  ')}`);
    }
    console.log(
      `${NAME}: OK, a minor changeset keeps all ${summary.length} workspace packages below 1.0.0 (${summary.join(', ')}); ` +
        `so do the ${probeSummary.length} probe packages this check adds to its throwaway copy, dependents of core-mm ` +
        `by a regular and by a peer dependency, the shapes that push 0.x dependents to 1.0.0 (${probeSummary.join(', ')})`,
    );
  } finally {
    if (keep) console.error(`${NAME}: temp copy kept at ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof CheckFailure)) throw error;
  console.error(`${NAME}: FAIL: ${error.message}`);
  process.exitCode = 1;
}

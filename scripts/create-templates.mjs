#!/usr/bin/env node
// `npm run create:check`: `npm create secondary-mmu-driver` as a stranger runs it.
// 1. verdaccio on 127.0.0.1 and the first release published to it from a throwaway
//    copy, as `npm run release:loopback` does (release-registry.mjs, release-first-version.mjs);
// 2. per template: the published create-secondary-mmu-driver (its tarball on the local
//    registry) generates a driver package in a temporary directory; an .npmrc sends the
//    @secondary-mmu scope to the local registry; `npm install` by name; the SDK versions in
//    its package.json are the published ones; `npm run typecheck`; `npm test` green;
// 3. the template's deliberate bug (scripts/create-template-bugs.json) planted in the
//    generated source: `npm test` must fail, printing a replay token.
// Options: --keep (keep the temporary directory).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { changesetBin, copyForRelease, versionCopy } from './release-first-version.mjs';
import { run } from './release-pack.mjs';
import { getJson, installRegistry, startRegistry } from './release-registry.mjs';
import { publishedPackages, repoRoot } from './release-workspaces.mjs';

const CREATE = 'create-secondary-mmu-driver';
const bugs = JSON.parse(readFileSync(path.join(repoRoot, 'scripts', 'create-template-bugs.json'), 'utf8'));
const started = Date.now();
const keep = process.argv.includes('--keep');
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (message) => console.log(`create:check: ${message} (${seconds()})`);
const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
const testEnv = { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' };
const tmp = mkdtempSync(path.join(os.tmpdir(), 'smmu-create-templates-'));

/** Builds, versions a copy and publishes every package to the registry; returns name → published version. */
async function publishAll(registry) {
  run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: repoRoot });
  const copy = path.join(tmp, 'release');
  copyForRelease(copy);
  const moves = versionCopy(copy);
  const npmrc = path.join(tmp, 'publisher.npmrc');
  writeFileSync(npmrc, `registry=${registry.url}\n${registry.url.replace(/^http:/, '')}:_authToken=${registry.token}\n`);
  run(changesetBin, ['publish', '--no-git-tag'], { cwd: copy, env: { ...testEnv, npm_config_registry: registry.url, npm_config_userconfig: npmrc } });
  const versions = new Map(moves.map((m) => [m.name, m.to]));
  for (const { name } of publishedPackages()) {
    const body = await getJson(`${registry.url}${name.replace('/', '%2f')}`);
    if (body.versions?.[versions.get(name)] === undefined) throw new Error(`${name}@${versions.get(name)} is not on the loopback registry`);
  }
  return versions;
}

/** `npm test` in `dir`: exit status and output. */
function npmTest(dir) {
  const r = spawnSync('npm', ['test', '--silent'], { cwd: dir, env: testEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const summary = (output) => (/Tests\s+[^\n]*/.exec(output)?.[0] ?? '(no summary)').replace(/\s+/g, ' ');

/** One template: generate with the published create package, install by name, test green, then plant its bug. */
function checkTemplate(template, registry, versions) {
  const t0 = Date.now();
  const dir = path.join(tmp, `driver-${template}`);
  const tarball = `${registry.url}${CREATE}/-/${CREATE}-${versions.get(CREATE)}.tgz`;
  // The create package is unscoped: fetched from the local registry by its tarball URL,
  // its own dependencies (prompts, commander) from the public registry.
  run('npm', ['exec', '--yes', ...quiet, `--package=${tarball}`, '--', CREATE, dir, '--template', template], { cwd: tmp });
  writeFileSync(path.join(dir, '.npmrc'), `@secondary-mmu:registry=${registry.url}\n`);
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const [name, range] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
    if (name.startsWith('@secondary-mmu/') && range !== `^${versions.get(name)}`) throw new Error(`${template}: ${name} is ${range} in the generated package.json, published is ${versions.get(name)}`);
  }
  run('npm', ['install', ...quiet], { cwd: dir });
  run('npm', ['run', 'typecheck', '--silent'], { cwd: dir });
  const green = npmTest(dir);
  if (green.status !== 0) throw new Error(`${template}: npm test failed on the generated package:\n${green.output}`);
  const bug = bugs.find((b) => b.template === template);
  const file = path.join(dir, bug.file);
  const source = readFileSync(file, 'utf8');
  if (!source.includes(bug.find)) throw new Error(`${template}: the deliberate bug no longer applies to ${bug.file}`);
  writeFileSync(file, source.replace(bug.find, bug.replace));
  const red = npmTest(dir);
  const token = /\(replay (\S+)\)/.exec(red.output)?.[1];
  if (red.status === 0 || token === undefined) throw new Error(`${template}: with ${bug.bug}, npm test ${red.status === 0 ? 'passed' : 'failed without a replay token'}:\n${red.output}`);
  return { green: summary(green.output), red: summary(red.output), token, bug: bug.bug, seconds: ((Date.now() - t0) / 1000).toFixed(1) };
}

let registry;
let ok = false;
try {
  if (installRegistry()) log('installed verdaccio (npm ci in scripts/loopback-registry)');
  registry = await startRegistry(path.join(tmp, 'registry'));
  log(`verdaccio listening on ${registry.url}`);
  const versions = await publishAll(registry);
  log(`built and published ${versions.size} packages (${CREATE}@${versions.get(CREATE)})`);
  for (const b of bugs) {
    const r = checkTemplate(b.template, registry, versions);
    log(`${b.template}: generated, installed by name, typechecked; npm test green (${r.green}); with ${r.bug}: red (${r.red}), replay ${r.token.slice(0, 24)}… [${r.seconds} s]`);
  }
  ok = true;
  log('OK');
} catch (error) {
  console.error(`create:check: FAIL: ${error.message}`);
  process.exitCode = 1;
} finally {
  await registry?.stop();
  if (keep || !ok) console.error(`create:check: temporary directory kept at ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

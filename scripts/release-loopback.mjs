#!/usr/bin/env node
// `npm run release:loopback`: a real publish and a stranger's install, on this machine.
// 1. verdaccio on 127.0.0.1 (release-registry.mjs) with a local user and token;
// 2. the first release on a throwaway copy: `changeset version` of the pending
//    changesets (every package must stay below 1.0), then `changeset publish` to it;
// 3. a fresh project whose .npmrc points only the @secondary-mmu scope at it follows
//    docs/writing-a-driver.md (its install commands, its tsconfig, the tiny mirror, its
//    suite file) and runs that conformance suite with vitest, typechecks the driver, and
//    runs kvm-spte's conformance report, all from packages installed by name.
// Options: --keep (keep the temporary directory); --serve (after the publish, keep the
// registry running for your own project instead of step 3, until Ctrl-C).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { driverAuthorProject } from './release-driver-author.mjs';
import { changesetBin, copyForRelease, versionCopy } from './release-first-version.mjs';
import { run } from './release-pack.mjs';
import { getJson, installRegistry, startRegistry } from './release-registry.mjs';
import { publishedPackages, repoRoot } from './release-workspaces.mjs';

const started = Date.now();
const keep = process.argv.includes('--keep');
const serve = process.argv.includes('--serve');
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (message) => console.log(`release:loopback: ${message} (${seconds()})`);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'smmu-release-loopback-'));
let registry;
let ok = false;
try {
  if (installRegistry()) log('installed verdaccio (npm ci in scripts/loopback-registry)');
  registry = await startRegistry(path.join(tmp, 'registry'));
  log(`verdaccio listening on ${registry.url}, logged in as the local user`);
  run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: repoRoot });
  log('built');

  const copy = path.join(tmp, 'release');
  copyForRelease(copy);
  const moves = versionCopy(copy);
  log(`changeset version on a copy: ${moves.map((m) => `${m.name} ${m.from} -> ${m.to}`).join(', ')} (all below 1.0)`);

  const npmrc = path.join(tmp, 'publisher.npmrc');
  const host = registry.url.replace(/^http:/, '');
  writeFileSync(npmrc, `registry=${registry.url}\n${host}:_authToken=${registry.token}\n`);
  const env = { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', npm_config_registry: registry.url, npm_config_userconfig: npmrc };
  run(changesetBin, ['publish', '--no-git-tag'], { cwd: copy, env });
  const names = publishedPackages().map((p) => p.name);
  for (const name of names) {
    const body = await getJson(`${registry.url}${name.replace('/', '%2f')}`);
    const version = moves.find((m) => m.name === name).to;
    if (body.versions?.[version] === undefined) throw new Error(`${name}@${version} is not on the loopback registry`);
  }
  log(`changeset publish: ${names.length} packages on the loopback registry`);

  if (serve) {
    console.log(`\nServing until Ctrl-C. In your project's .npmrc:\n\n  @secondary-mmu:registry=${registry.url}\n`);
    await new Promise((resolve) => ['SIGINT', 'SIGTERM'].forEach((signal) => process.once(signal, resolve)));
  } else {
    await driverAuthorProject(path.join(tmp, 'my-driver'), registry.url, names, log);
  }
  ok = true;
  log('OK');
} catch (error) {
  console.error(`release:loopback: FAIL: ${error.message}`);
  if (registry) console.error(registry.output.join(''));
  process.exitCode = 1;
} finally {
  await registry?.stop();
  if (keep || !ok) console.error(`release:loopback: temporary directory kept at ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

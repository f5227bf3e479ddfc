// A fresh project that installs the packed tarballs, as a stranger would, and uses
// them: every entry from ESM and (where offered) from CommonJS with the same export
// names, a scenario run from both with the same verdict and replay token, every `bin`
// answering --help, and a TypeScript consumer typechecked under node16 and bundler
// module resolution.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run } from './release-pack.mjs';
import { repoRoot } from './release-workspaces.mjs';

const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const TESTKIT = '@secondary-mmu/testkit';

// The testkit README's example; both module systems must agree to the token.
const scenarioBody = (load) => `${load}
const scenario = loadScenario(SCENARIO_CATALOGUE['fault-vs-munmap']);
const result = await runScenario(scenario, classicMirror, { era: 'v6', seed: 7 });
console.log(JSON.stringify({ verdict: result.verdict, token: result.token }));`;
const scenarioMjs = scenarioBody(`import { classicMirror, loadScenario, runScenario, SCENARIO_CATALOGUE } from '${TESTKIT}';`);
const scenarioCjs = `(async () => {\n${scenarioBody(`const { classicMirror, loadScenario, runScenario, SCENARIO_CATALOGUE } = require('${TESTKIT}');`)}\n})().catch((e) => { console.error(e); process.exit(1); });`;

const keysMjs = (specs) => `const out = {};\nfor (const s of ${JSON.stringify(specs)}) out[s] = Object.keys(await import(s)).filter((k) => k !== 'default').sort();\nconsole.log(JSON.stringify(out));`;
const keysCjs = (specs) => `const out = {};\nfor (const s of ${JSON.stringify(specs)}) out[s] = Object.keys(require(s)).filter((k) => k !== 'default' && k !== '__esModule').sort();\nconsole.log(JSON.stringify(out));`;

/** Optional peers outside our scope (vitest for the testkit's ./vitest): a user of that entry installs them. */
function externalPeers(packages) {
  const peers = new Map();
  for (const { pkg } of packages) {
    for (const [name, range] of Object.entries(pkg.peerDependencies ?? {})) if (!name.startsWith('@secondary-mmu/')) peers.set(name, range);
  }
  return [...peers].map(([name, range]) => `${name}@${range}`);
}

function tsConsumer(dir, packages) {
  const all = packages.flatMap((p) => p.entries);
  const imports = (entries, form) => entries.map((e, i) => form(`e${i}`, e.specifier)).join('\n');
  const use = (n) => `\nexport const entries = [${Array.from({ length: n }, (_, i) => `e${i}`).join(', ')}];\n`;
  // The verdict must be a real type, not \`any\` from a declaration that failed to resolve.
  const typedScenario = `import { classicMirror as m, loadScenario as l, runScenario as r, SCENARIO_CATALOGUE as c } from '${TESTKIT}';
const verdict: 'pass' | 'fail' | 'inconclusive' = (await r(l(c['fault-vs-munmap']!), m, { era: 'v6', seed: 7 })).verdict;
// @ts-expect-error a verdict is no number
const notANumber: number = verdict;
export { verdict, notANumber };\n`;
  writeFileSync(path.join(dir, 'types.mts'), imports(all, (v, s) => `import * as ${v} from '${s}';`) + use(all.length) + typedScenario);
  const requirable = all.filter((e) => e.requirable);
  writeFileSync(path.join(dir, 'types.cts'), imports(requirable, (v, s) => `import ${v} = require('${s}');`) + use(requirable.length));
  // skipLibCheck as most projects set it: checking every dependency's declarations cost
  // 4x the time; attw already checks ours resolve, and the uses above must type.
  const base = { strict: true, noEmit: true, target: 'es2022', skipLibCheck: true, types: ['node'] };
  writeFileSync(path.join(dir, 'tsconfig.node16.json'), JSON.stringify({ compilerOptions: { ...base, module: 'node16', moduleResolution: 'node16' }, files: ['types.mts', 'types.cts'] }));
  writeFileSync(path.join(dir, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler' }, files: ['types.mts'] }));
}

/** Builds the consumer in `dir` from `tarballs`; throws on the first check that fails. */
export function checkConsumer(dir, packages, tarballs) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'release-check-consumer', version: '0.0.0', private: true }, null, 2));
  const npmFlags = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];
  run('npm', ['install', ...npmFlags, ...tarballs.map((t) => t.tarball), ...externalPeers(packages), '@types/node@20'], { cwd: dir });
  console.log(`  installed ${tarballs.length} tarballs into a fresh project`);

  const specs = packages.flatMap((p) => p.entries);
  writeFileSync(path.join(dir, 'keys.mjs'), keysMjs(specs.map((e) => e.specifier)));
  writeFileSync(path.join(dir, 'keys.cjs'), keysCjs(specs.filter((e) => e.requirable).map((e) => e.specifier)));
  const esm = JSON.parse(run('node', ['keys.mjs'], { cwd: dir }));
  const cjs = JSON.parse(run('node', ['keys.cjs'], { cwd: dir }));
  for (const [spec, keys] of Object.entries(cjs)) {
    if (JSON.stringify(keys) !== JSON.stringify(esm[spec])) throw new Error(`${spec}: require() and import give different exports`);
  }
  console.log(`  ${Object.keys(esm).length} entries import from ESM, ${Object.keys(cjs).length} require from CommonJS with the same exports`);

  writeFileSync(path.join(dir, 'scenario.mjs'), scenarioMjs);
  writeFileSync(path.join(dir, 'scenario.cjs'), scenarioCjs);
  const fromEsm = JSON.parse(run('node', ['scenario.mjs'], { cwd: dir }));
  const fromCjs = JSON.parse(run('node', ['scenario.cjs'], { cwd: dir }));
  if (fromEsm.verdict !== 'pass' || fromEsm.token !== fromCjs.token || fromCjs.verdict !== 'pass') {
    throw new Error(`the scenario from ESM (${fromEsm.verdict}) and from CommonJS (${fromCjs.verdict}) disagree or fail`);
  }
  console.log(`  fault-vs-munmap with classicMirror: pass from ESM and from CommonJS, one token (${fromEsm.token.slice(0, 16)}…)`);

  for (const bin of packages.flatMap((p) => p.bins)) {
    run(path.join(dir, 'node_modules', '.bin', bin), ['--help'], { cwd: dir });
    console.log(`  ${bin} --help: exit 0`);
  }

  tsConsumer(dir, packages);
  for (const config of ['tsconfig.node16.json', 'tsconfig.bundler.json']) run('node', [tsc, '-p', config], { cwd: dir });
  console.log(`  a TypeScript consumer of every entry typechecks under node16 and bundler resolution`);
}

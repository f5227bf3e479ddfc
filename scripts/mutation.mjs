#!/usr/bin/env node
// `npm run mutation`: StrykerJS over every package's checker files (each package's
// packages/<name>/stryker.config.mjs, its own tests), one package after another, in
// incremental mode (the files in mutation/ are kept in git, so a rerun tests only the
// mutants whose code or tests changed). Prints and writes docs/mutation.md: one row per
// file in scope, from this run's JSON reports (reports/mutation/, outside git).
//
//   node scripts/mutation.mjs                      every package, every file in scope
//   node scripts/mutation.mjs --mutate <file> ...  only these files (repository paths);
//                                                  the table marks the others "not run"
//   node scripts/mutation.mjs --force              test every mutant again, reusing no
//                                                  earlier result (the incremental files
//                                                  are still rewritten)
//
// STRYKER_CONCURRENCY sets the number of test runner processes (default 2).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const only = [];
let force = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--mutate' && args[i + 1] !== undefined) only.push(...args[++i].split(','));
  else if (args[i] === '--force') force = true;
  else {
    console.error(`mutation: unknown argument ${args[i]} (use --mutate <file>[,<file>...] and/or --force)`);
    process.exit(2);
  }
}

/** The files a config's `mutate` patterns name (a `*` only in the last path segment, `!` excludes). */
function expand(patterns) {
  const files = new Set();
  for (const p of patterns.filter((p) => !p.startsWith('!'))) {
    const slash = p.lastIndexOf('/');
    const [dir, name] = [p.slice(0, slash), p.slice(slash + 1)];
    if (!name.includes('*')) files.add(p);
    else {
      const re = new RegExp(`^${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
      for (const f of readdirSync(dir)) if (re.test(f)) files.add(`${dir}/${f}`);
    }
  }
  for (const p of patterns.filter((p) => p.startsWith('!'))) files.delete(p.slice(1));
  return [...files].sort();
}

/** Per-file counts from a Stryker JSON report; Ignored mutants are the ones disabled in place as equivalent. */
function tally(report) {
  const rows = new Map();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const c = { mutants: mutants.length, killed: 0, timeout: 0, survived: 0, noCoverage: 0, disabled: 0, errors: 0 };
    for (const m of mutants) {
      if (m.status === 'Killed') c.killed++;
      else if (m.status === 'Timeout') c.timeout++;
      else if (m.status === 'Survived') c.survived++;
      else if (m.status === 'NoCoverage') c.noCoverage++;
      else if (m.status === 'Ignored') c.disabled++;
      else c.errors++; // CompileError, RuntimeError: invalid mutants, not counted in the score
    }
    rows.set(file, c);
  }
  return rows;
}

/** The table rows of an earlier docs/mutation.md that have figures, by file (older rows get that doc's run time). */
function previousRows(doc) {
  const when = /^- (?:Last run|Run): (\d{4}-\d\d-\d\d \d\d:\d\d) UTC/m.exec(doc)?.[1] ?? '';
  const out = new Map();
  for (const line of doc.split('\n')) {
    if (!line.startsWith('| packages/') || line.includes('not run yet')) continue;
    const cells = line.split('|').slice(1, -1).map((x) => x.trim());
    out.set(cells[0], cells.length >= 9 ? line : `| ${[...cells, when].join(' | ')} |`);
  }
  return out;
}

const score = (c) => {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage;
  return valid === 0 ? '—' : `${((100 * (c.killed + c.timeout)) / valid).toFixed(1)} %`;
};

const packages = readdirSync('packages').filter((p) => existsSync(`packages/${p}/stryker.config.mjs`)).sort();
const started = new Date();
const t0 = performance.now();
const rows = [];
const commands = [];
let failed = false;
for (const pkg of packages) {
  const config = `packages/${pkg}/stryker.config.mjs`;
  const { default: cfg } = await import(pathToFileURL(config).href);
  const scope = expand(cfg.mutate);
  const chosen = only.length === 0 ? scope : scope.filter((f) => only.includes(f));
  if (chosen.length === 0) {
    for (const f of scope) rows.push({ file: f, counts: null });
    continue;
  }
  const argv = ['stryker', 'run', config, '--incremental', ...(force ? ['--force'] : []), ...(only.length === 0 ? [] : ['--mutate', chosen.join(',')])];
  commands.push(`npx ${argv.join(' ')}`);
  console.log(`\n▶ ${pkg}: npx ${argv.join(' ')}`);
  const r = spawnSync('npx', argv, { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
  const counts = existsSync(`reports/mutation/${pkg}.json`) ? tally(JSON.parse(readFileSync(`reports/mutation/${pkg}.json`, 'utf8'))) : new Map();
  // A file run but absent from the report has no mutable code (types only): zero mutants.
  const none = { mutants: 0, killed: 0, timeout: 0, survived: 0, noCoverage: 0, disabled: 0, errors: 0 };
  for (const f of scope) rows.push({ file: f, counts: chosen.includes(f) ? (counts.get(f) ?? (r.status === 0 ? none : null)) : null });
}
const minutes = (performance.now() - t0) / 60_000;

const previous = existsSync('docs/mutation.md') ? readFileSync('docs/mutation.md', 'utf8') : '';
const runAt = started.toISOString().slice(0, 16).replace('T', ' ');
// A file not run now keeps its row from the last run that ran it (with that run's time).
const earlier = previousRows(previous);
const table = [
  '| file | mutants | killed | timed out | survived | no coverage | disabled (equivalent) | score | run (UTC) |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map(({ file, counts: c }) =>
    c === null
      ? (earlier.get(file) ?? `| ${file} | not run yet | | | | | | | |`)
      : `| ${file} | ${c.mutants} | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${c.disabled} | ${score(c)} | ${runAt} |`,
  ),
].join('\n');

const notes = previous.includes('<!-- notes -->') ? previous.slice(previous.indexOf('<!-- notes -->')) : '<!-- notes -->\n';
const doc = `# Mutation testing

Generated by \`node scripts/mutation.mjs\` (\`npm run mutation\`); do not edit above the notes.
StrykerJS with the vitest runner mutates each checker file and runs the package's own
tests against every mutant: a mutant that survives is a change to the checker that no
test notices. Score = (killed + timed out) / (mutants − disabled − invalid); mutants
disabled in place (\`// Stryker disable next-line <mutator>: <reason>\`) are equivalent
ones, each with its reason in the source.

- Last run: ${runAt} UTC, ${minutes.toFixed(1)} min, STRYKER_CONCURRENCY=${process.env.STRYKER_CONCURRENCY ?? 2}; rows of files it did not run are from the run named in their last column
- Command: \`node scripts/mutation.mjs${args.length ? ` ${args.join(' ')}` : ''}\`, which ran:
${commands.map((c) => `  - \`${c}\``).join('\n')}

${table}

${notes}`;
writeFileSync('docs/mutation.md', doc);
console.log(`\n${table}\n\nmutation: ${minutes.toFixed(1)} min; docs/mutation.md written`);
process.exit(failed ? 1 : 0);

// The stranger of docs/writing-a-driver.md, outside the monorepo: a fresh directory
// whose .npmrc sends only the @secondary-mmu scope to the registry under test (the rest
// comes from the public registry), the page's own install commands, tsconfig and suite
// file, and the tiny mirror it walks through, copied verbatim from the repository.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run } from './release-pack.mjs';
import { repoRoot } from './release-workspaces.mjs';

const doc = readFileSync(path.join(repoRoot, 'docs', 'writing-a-driver.md'), 'utf8');

/** The first fenced block of `lang` in the section whose heading starts with `heading`. */
export function docBlock(heading, lang) {
  const start = doc.indexOf(`\n## ${heading}`);
  const end = doc.indexOf('\n## ', start + 1);
  const block = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(doc.slice(start, end === -1 ? undefined : end));
  if (start === -1 || !block) throw new Error(`docs/writing-a-driver.md: no \`\`\`${lang} block under "## ${heading}"`);
  return block[1];
}

/** The npm commands of the page's install block, in order (`mkdir`/`cd` are ours to do). */
export const installCommands = () =>
  docBlock('1.', 'sh')
    .split('\n')
    .flatMap((line) => line.split('&&').map((c) => c.trim()))
    .filter((c) => c.startsWith('npm '));

const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];

/** Builds the driver author's project in `dir`, installing by name from `registryUrl`, and runs its checks. */
export async function driverAuthorProject(dir, registryUrl, names, log) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, '.npmrc'), `@secondary-mmu:registry=${registryUrl}\n`);
  for (const command of installCommands()) {
    const [, ...args] = command.split(/\s+/);
    run('npm', [...args, ...(args[0] === 'install' ? quiet : [])], { cwd: dir });
    console.log(`  $ ${command}`);
  }
  const others = names.filter((name) => !readFileSync(path.join(dir, 'package.json'), 'utf8').includes(`"${name}"`));
  if (others.length > 0) run('npm', ['install', ...quiet, ...others], { cwd: dir });
  log(`installed by name from the loopback registry: ${names.join(', ')}`);

  writeFileSync(path.join(dir, 'tsconfig.json'), docBlock('1.', 'json'));
  copyFileSync(path.join(repoRoot, 'packages', 'testkit', 'test', 'examples', 'tiny-mirror.ts'), path.join(dir, 'tiny-mirror.ts'));
  writeFileSync(path.join(dir, 'tiny.test.ts'), docBlock('4.', 'ts'));
  run(path.join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: dir });
  log('the tiny mirror and its suite typecheck with the page\'s tsconfig');
  const vitest = run(path.join(dir, 'node_modules', '.bin', 'vitest'), ['run', '--reporter=dot'], { cwd: dir, env: { ...process.env, CI: 'true', NO_COLOR: '1' } });
  const summary = vitest.split('\n').filter((l) => /Tests\s+\d/.test(l)).join(' ').trim();
  log(`npx vitest run: the tiny mirror's conformance suite, ${summary.replace(/\s+/g, ' ')}`);

  // A published driver judged by the published testkit; v6 is the era in which its
  // conformance run passes whole (in the 2008 eras two exit scenarios are inconclusive by
  // design: see its conformance test).
  writeFileSync(
    path.join(dir, 'kvm-spte.mjs'),
    `import { checkDriver } from '@secondary-mmu/testkit';\nimport { kvmSpte } from '@secondary-mmu/kvm-spte';\nconst report = await checkDriver(kvmSpte, { eras: ['v6'] });\nconsole.log(JSON.stringify({ ok: report.ok, counts: report.counts }));\n`,
  );
  const kvm = JSON.parse(run('node', ['kvm-spte.mjs'], { cwd: dir }));
  if (kvm.ok !== true) throw new Error(`kvm-spte's conformance report is not ok: ${JSON.stringify(kvm.counts)}`);
  log(`checkDriver(kvmSpte, { eras: ['v6'] }) from the installed packages: ok ${JSON.stringify(kvm.counts)}`);
}

// The fidelity-table check fails on the rows it should and passes on docs/kernel.md.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkFidelityTable, titleRegions } from './check-fidelity-table.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(root, 'scripts/check-fidelity-table.mjs');
const good = '`packages/core-mm/test/oom.test.ts` › "kills the biggest other process"';

const doc = (section, cell) =>
  `# Kernel\n\n## ${section}\n\n| rule | era | test |\n|---|---|---|\n| a rule | v6 | ${good} |\n| the row under test | v6 | ${cell} |\n`;

function run(markdown) {
  const dir = mkdtempSync(path.join(tmpdir(), 'fidelity-'));
  try {
    const file = path.join(dir, 'kernel.md');
    writeFileSync(file, markdown);
    return spawnSync(process.execPath, [script, file], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('passes on docs/kernel.md', () => {
  assert.deepEqual(checkFidelityTable(readFileSync(path.join(root, 'docs/kernel.md'), 'utf8'), root), []);
});

test('exits 1 and names the row for a test file that does not exist', () => {
  const r = run(doc('Faults', '`packages/core-mm/test/no-such.test.ts` › "anything"'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /:8: the row under test: packages\/core-mm\/test\/no-such\.test\.ts: no such file/);
  assert.match(r.stderr, /1 bad row\(s\)/);
});

test('fails for a title the named file does not contain', () => {
  const problems = checkFidelityTable(doc('Faults', '`packages/core-mm/test/oom.test.ts` › "kills the smallest process"'), root);
  assert.deepEqual(problems, [{ line: 8, row: 'the row under test', problem: 'packages/core-mm/test/oom.test.ts: no test title contains "kills the smallest process"' }]);
});

test('checks every reference in a cell, and only titles (not comments or bodies)', () => {
  const both = `${good}; \`packages/core-mm/test/oom.test.ts\` › "toMatchObject"`;
  const problems = checkFidelityTable(doc('Faults', both), root);
  assert.deepEqual(problems.map((p) => p.problem), ['packages/core-mm/test/oom.test.ts: no test title contains "toMatchObject"']);
});

test('"—" is allowed only in a "not yet" section', () => {
  assert.deepEqual(checkFidelityTable(doc('Checked against the source, not yet modelled/tested', '—'), root), []);
  const problems = checkFidelityTable(doc('Faults', '—'), root);
  assert.equal(problems.length, 1);
  assert.match(problems[0].problem, /outside a "not yet" section \("Faults"\)/);
});

test('fails for a cell that is not a test reference, a path outside packages/*/test, and a doc with no test table', () => {
  assert.match(checkFidelityTable(doc('Faults', 'oom.test.ts'), root)[0].problem, /the test cell is not/);
  assert.match(checkFidelityTable(doc('Faults', `${good} and more`), root)[0].problem, /the test cell is not/);
  assert.match(checkFidelityTable(doc('Faults', '`packages/core-mm/src/mm/oom.ts` › "outOfMemory"'), root)[0].problem, /not a test file/);
  assert.match(checkFidelityTable(doc('Faults', '`packages/../../etc/x.test.ts` › "x"'), root)[0].problem, /not a test file/);
  assert.deepEqual(checkFidelityTable('# Nothing\n\n| a | b |\n|---|---|\n| 1 | 2 |\n', root).map((p) => p.problem), ['no table with a "test" column']);
});

test('title regions keep the literal parts of template, ternary and .each titles', () => {
  const source = [
    "it(`${era}: a ${v6 ? 'kept' : 'lost'} page`, async () => { expect('body text'); });",
    "it.each(['a', 'b'] as const)('%s: it\\'s each', (x) => {});",
    "it.runIf(v6)('runs if v6', () => {});",
  ].join('\n');
  const regions = titleRegions(source).join('\n');
  for (const text of [': a ', "'kept'", ' page', ": it's each", 'runs if v6']) assert.ok(regions.includes(text), text);
  assert.ok(!regions.includes('body text'));
});

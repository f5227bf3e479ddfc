// Checks the test column of docs/kernel.md's tables: `npm test` runs it.
// A test cell names one or more tests as
//   `packages/<pkg>/test/<file>.test.ts` › "<literal part of the test title>"
// separated by `;`. Each named file must exist and hold the quoted text inside the title
// of an it/test/describe call. A cell of `—` (not tested) is allowed only under a section
// whose heading says "not yet". Exit 1 lists every bad row.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REF = /`([^`]+)`\s*›\s*"([^"]+)"/g;
const UNTESTED = '—';

/** Splits a table line into trimmed cells, honouring `\|` inside a cell. */
function cells(line) {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}

const isTableLine = (line) => line.trim().startsWith('|');
const isSeparator = (line) => /^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$/.test(line.trim());

/**
 * The title text of every it/test/describe call in a test file: from the call to the
 * first arrow or `function` after it, escapes removed (so `\'` reads `'`). Titles built
 * from template literals or ternaries keep their literal parts, which is what a row quotes.
 */
export function titleRegions(source) {
  const regions = [];
  const call = /\b(?:it|test|describe)(?:\.(?:each|only|skip|skipIf|runIf|concurrent|sequential|todo|fails)\b)?\s*\(/g;
  for (let m = call.exec(source); m !== null; m = call.exec(source)) {
    const rest = source.slice(m.index, m.index + 4000);
    const ends = [rest.indexOf('=>'), rest.indexOf('function')].filter((i) => i >= 0);
    regions.push(rest.slice(0, ends.length ? Math.min(...ends) : rest.length).replace(/\\(['"`\\])/g, '$1'));
  }
  return regions;
}

/**
 * Every problem with the tables of `markdown`, checked against the files under `root`.
 * Tables without a `test` column are not checked; a document without one is a problem.
 * @returns {{ line: number, row: string, problem: string }[]}
 */
export function checkFidelityTable(markdown, root) {
  const lines = markdown.split('\n');
  const problems = [];
  const sources = new Map();
  let section = '';
  let testTables = 0;
  for (let i = 0; i < lines.length; i++) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(lines[i]);
    if (heading && heading[1].length <= 2) section = heading[2];
    if (!isTableLine(lines[i]) || !isSeparator(lines[i + 1] ?? '')) continue;
    const column = cells(lines[i]).findIndex((c) => c.replace(/`/g, '').toLowerCase() === 'test');
    i += 2;
    if (column < 0) {
      while (i < lines.length && isTableLine(lines[i])) i++;
      continue;
    }
    testTables++;
    const untestedAllowed = /not yet/i.test(section);
    for (; i < lines.length && isTableLine(lines[i]); i++) {
      const row = lines[i];
      const report = (problem) => problems.push({ line: i + 1, row: cells(row)[0] ?? '', problem });
      const cell = cells(row)[column];
      if (cell === undefined) { report('the row has no test cell'); continue; }
      if (cell === UNTESTED) {
        if (!untestedAllowed) report(`"${UNTESTED}" (not tested) outside a "not yet" section ("${section}")`);
        continue;
      }
      const refs = [...cell.matchAll(REF)];
      if (refs.length === 0 || cell.replace(REF, '').replace(/[\s;]/g, '') !== '') {
        report(`the test cell is not \`packages/<pkg>/test/<file>.test.ts\` › "<title text>" (…; …): ${cell}`);
        continue;
      }
      for (const [, file, title] of refs) {
        const resolved = path.resolve(root, file);
        if (!/^packages\/[^/]+\/test\/.+\.test\.ts$/.test(file) || !resolved.startsWith(path.resolve(root) + path.sep)) {
          report(`${file}: not a test file under packages/<pkg>/test/`);
          continue;
        }
        if (!existsSync(resolved)) { report(`${file}: no such file`); continue; }
        if (!sources.has(resolved)) sources.set(resolved, titleRegions(readFileSync(resolved, 'utf8')));
        if (!sources.get(resolved).some((r) => r.includes(title))) report(`${file}: no test title contains "${title}"`);
      }
    }
    i--;
  }
  if (testTables === 0) problems.push({ line: 0, row: '', problem: 'no table with a "test" column' });
  return problems;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const doc = path.resolve(process.argv[2] ?? path.join(root, 'docs/kernel.md'));
  const problems = checkFidelityTable(readFileSync(doc, 'utf8'), root);
  for (const p of problems) console.error(`${path.relative(process.cwd(), doc)}:${p.line}: ${p.row ? `${p.row}: ` : ''}${p.problem}`);
  if (problems.length > 0) {
    console.error(`${problems.length} bad row(s) in the fidelity table`);
    process.exit(1);
  }
}

/*
 * Regenerate the semantics table in docs/cli.md from the built CLI's `compare`, and
 * docs/comparison.md from its `compare --json` (the default comparison):
 * `npm run compare:docs -w @secondary-mmu/cli` after a build. The tests fail when either
 * committed file and the CLI's output differ, and replay every token of
 * docs/comparison.md (test/comparison-doc.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CompareJson } from '../src/index.ts';
import { COMPARISON_DOC, comparisonDoc } from '../test/support/comparison-doc.ts';
import { semanticsSection, SEMANTICS_DOC_END, SEMANTICS_DOC_START } from '../test/support/semantics-doc.ts';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const doc = fileURLToPath(new URL('../../../docs/cli.md', import.meta.url));
const output = execFileSync(process.execPath, [bin, 'compare'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
const text = readFileSync(doc, 'utf8');
const start = text.indexOf(SEMANTICS_DOC_START);
const end = text.indexOf(SEMANTICS_DOC_END);
if (start < 0 || end < start) throw new Error(`docs/cli.md has no ${SEMANTICS_DOC_START} … ${SEMANTICS_DOC_END} block`);
writeFileSync(doc, `${text.slice(0, start + SEMANTICS_DOC_START.length)}\n${semanticsSection(output)}\n${text.slice(end)}`);
console.log(`wrote the semantics table to ${doc}`);

const json = JSON.parse(execFileSync(process.execPath, [bin, 'compare', '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 })) as CompareJson;
writeFileSync(COMPARISON_DOC, comparisonDoc(json));
console.log(`wrote the comparison to ${fileURLToPath(COMPARISON_DOC)}`);

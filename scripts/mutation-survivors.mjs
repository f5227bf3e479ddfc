#!/usr/bin/env node
// Lists the mutants a Stryker JSON report left alive (Survived, NoCoverage), with their
// line and replacement, so the missing tests can be written one by one.
// Usage: node scripts/mutation-survivors.mjs <package> [file-substring]
import { readFileSync } from 'node:fs';

const [pkg, filter = ''] = process.argv.slice(2);
if (!pkg) {
  console.error('usage: node scripts/mutation-survivors.mjs <package> [file-substring]');
  process.exit(2);
}
const report = JSON.parse(readFileSync(`reports/mutation/${pkg}.json`, 'utf8'));
for (const [file, { mutants, source }] of Object.entries(report.files)) {
  if (!file.includes(filter)) continue;
  const lines = source.split('\n');
  for (const m of mutants) {
    if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
    const { start, end } = m.location;
    const original = start.line === end.line ? lines[start.line - 1].slice(start.column - 1, end.column - 1) : `${lines[start.line - 1].slice(start.column - 1)}…`;
    console.log(`${file}:${start.line}:${start.column} ${m.status} ${m.mutatorName}: ${original.slice(0, 120)}  =>  ${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 120)}`);
  }
}

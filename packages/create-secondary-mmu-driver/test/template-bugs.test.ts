// The deliberate bugs .ci/create-templates plants in the generated packages
// (scripts/create-template-bugs.json), planted here in a copy of each template's
// source: the conformance suite must fail with a replay token. A template whose suite
// cannot catch its one known bug would prove nothing.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DriverFactory } from '@secondary-mmu/testkit';
import { checkDriver } from '@secondary-mmu/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bugs from '../../../scripts/create-template-bugs.json' with { type: 'json' };
import { TEMPLATE_NAMES, templatesDir } from '../src/templates.js';

// Inside the package, so the copy resolves @secondary-mmu/* as the template does.
const mutants = path.join(import.meta.dirname, '.mutants');
const clean = () => rmSync(mutants, { recursive: true, force: true });
beforeAll(clean); // a copy left by an interrupted run
afterAll(clean);

describe('one deliberate bug per template', () => {
  it('every template has exactly one', () => {
    expect(bugs.map((b) => b.template).sort()).toEqual([...TEMPLATE_NAMES].sort());
  });

  it.each(bugs)('$template, $bug: the suite fails with a replay token', async ({ template, file, find, replace }) => {
    const dir = path.join(mutants, template);
    mkdirSync(dir, { recursive: true });
    cpSync(path.join(templatesDir(), template, 'src'), path.join(dir, 'src'), { recursive: true });
    const source = readFileSync(path.join(dir, file), 'utf8');
    expect(source).toContain(find); // the bug still applies to the template as it is
    writeFileSync(path.join(dir, file), source.replace(find, replace));
    const { driver } = (await import(path.join(dir, 'src', 'index.ts'))) as { driver: DriverFactory };
    const report = await checkDriver(driver, { seeds: [1, 2] });
    expect(report.ok).toBe(false);
    const violations = report.cases.flatMap((c) => c.violations);
    expect(violations.length).toBeGreaterThan(0);
    for (const v of violations) expect(v.token).toMatch(/\S{8,}/);
  });
});

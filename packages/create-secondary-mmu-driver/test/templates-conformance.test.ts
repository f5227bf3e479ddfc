// Each template's driver, imported from its source as the generated package has it,
// through the conformance suite in every era it declares: what `npm create` hands out
// passes out of the box.
import { ERAS } from '@secondary-mmu/core-mm';
import { checkDriver } from '@secondary-mmu/testkit';
import { describe, expect, it } from 'vitest';
import { driver as classic } from '../templates/classic/src/index.js';
import { driver as interval } from '../templates/interval/src/index.js';
import { driver as sharedPageTable } from '../templates/shared-page-table/src/index.js';

const cases = [
  { template: 'interval', driver: interval, eras: ['v6'] },
  { template: 'classic', driver: classic, eras: [...ERAS] },
  { template: 'shared-page-table', driver: sharedPageTable, eras: ['v6'] },
] as const;

describe.each(cases)('the $template template', ({ driver, eras }) => {
  it(`passes the conformance suite in ${eras.join(', ')}, with no violation`, async () => {
    const report = await checkDriver(driver, { seeds: [1, 2] });
    expect(report.cases.filter((c) => c.status === 'fail' || c.status === 'inconclusive').map((c) => `${c.title}: ${c.status} ${c.reasons.join(' | ')}`)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(new Set(report.cases.filter((c) => c.status === 'pass').map((c) => c.era))).toEqual(new Set(eras));
  });
});

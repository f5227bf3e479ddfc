import { formatViolation } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { runSample } from '../src/run-sample.js';

describe('the finding the importer writing shows (README): xpmem unpins a written page under the page lock inside its recall', () => {
  it('records lock inversions of mmu_notifier_invalidate_range_start against PG_locked, first taken in DeviceMmu.unpinUserPage', async () => {
    const r = await runSample({ xpmemWrites: true });
    const kinds = new Set(r.run.violations.map((v) => v.kind));
    expect([...kinds]).toEqual(['lock-inversion']);
    const first = formatViolation(r.run.violations[0]!);
    expect(first).toContain('mmu_notifier_invalidate_range_start -> PG_locked');
    expect(first).toContain('unpinUserPage');
    // The run replays to the same findings from its token.
    const again = await runSample({ xpmemWrites: true, replay: r.run.token });
    expect(again.run.violations.map((v) => v.message)).toEqual(r.run.violations.map((v) => v.message));
  });

  it('without the importer writing, the same workload is clean', async () => {
    expect((await runSample()).run.violations).toEqual([]);
  });
});

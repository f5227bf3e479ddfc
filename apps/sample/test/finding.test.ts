import { describe, expect, it } from 'vitest';
import { runSample } from '../src/run-sample.js';

/*
 * The sample once found (with the importer writing) that xpmem unpinned a written page
 * with unpin_user_pages_dirty_lock inside its recall, taking a page lock under callers
 * that hold one (writeback's page_mkclean, reclaim): lockdep's lock-inversion. xpmem
 * now dirties with set_page_dirty and unpins without the lock, as ib_umem_odp does.
 */
describe('the importer writing: xpmem dirties and unpins without the page lock inside its recall', () => {
  it('the workload with the importer writing is clean', async () => {
    const r = await runSample({ xpmemWrites: true });
    expect(r.run.violations).toEqual([]);
  });

  it('without the importer writing, the same workload is clean', async () => {
    expect((await runSample()).run.violations).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { MmuNotifier, mmuNotifierRegister, mmuNotifierUnregister } from '../src/index.js';
import { ANON, P, RW, setup, v } from './support/helpers.js';

describe('smoke', () => {
  for (const era of ['rfc-2008', 'v2.6.27', 'v6'] as const) {
    it(`${era}: munmap brackets reach a registered notifier`, async () => {
      const { m, t } = setup(era);
      const calls: string[] = [];
      const sub = new MmuNotifier({
        invalidateRangeStart: (_t, _s, r) => (calls.push(`start ${r.event} ${r.blockable}`), 0),
        invalidateRangeEnd: (_t, _s, r) => void calls.push(`end ${r.event}`),
        release: () => void calls.push('release'),
      }, 'drv');
      await v(mmuNotifierRegister(t, sub, t.mm!));
      const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
      await v(m.mem.write(t, a, 1));
      await v(m.mem.munmap(t, a, 2 * P));
      await v(mmuNotifierUnregister(t, sub, t.mm!));
      expect(calls).toEqual(['start unmap ' + String(era !== 'v2.6.27'), 'end unmap', 'release']);
      expect(m.report.violations).toEqual([]);
    });
  }
});

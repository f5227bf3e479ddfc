/**
 * A leaked translation is reported once: at the first occasion (release returning),
 * not again at the next (the unregistered step right after it). (The same for pins is
 * in oracle-aging-leaks.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { mmuNotifierUnregister } from '../src/index.js';
import { setup, v } from './support/helpers.js';
import { NoRefDriver, register } from './support/oracle-drivers.js';
import { anonPages, kinds, messages } from './support/oracle-helpers.js';

describe('leak: each translation once', () => {
  it('reports translations kept at release once, not again when unregister returns', async () => {
    const { m, t } = setup('v6');
    const drv = new NoRefDriver(m, t.mm!, 'keeps-at-release');
    await register(t, drv);
    const a = await anonPages(m, t);
    expect(await drv.read(t, a)).toBe(100);
    await v(mmuNotifierUnregister(t, drv.sub, t.mm!));
    expect(kinds(m)).toEqual(['leak']);
    expect(messages(m, 'leak')[0]).toMatch(/^noref: still holds 1 translation\(s\) of mm \d+ after noref's release returned$/);
    drv.device.dropAll();
  });
});

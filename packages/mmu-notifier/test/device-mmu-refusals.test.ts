/**
 * What DeviceMmu and its options refuse, word for word: each refusal names the device,
 * the call and what was wrong, and changes nothing; the edge cases it still takes.
 */
import { isSmmuError, Machine, PAGE_SIZE, TASK_SIZE, unpinUserPage, walkPageTable, type Task } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { coherenceOracle, DeviceMmu, MmuNotifier, mmuIntervalNotifier, mmuNotifierRegister, type DeviceTranslation } from '../src/index.js';
import { ANON, P, RW, setup, v } from './support/helpers.js';

/** The `code: message` of the model error `f` fails with (a test failure if it does not). */
async function refusal(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    if (isSmmuError(e)) return e.message;
    throw e;
  }
  throw new Error('no refusal');
}

/** One anonymous page written 1, its frame, and a holds-references device `d` without subscription. */
async function page(): Promise<{ m: Machine; t: Task; a: number; pfn: number; dev: DeviceMmu }> {
  const { m, t } = setup('v6');
  const a = await v(m.mem.mmap(t, { length: 2 * P, prot: RW, flags: ANON }));
  await v(m.mem.write(t, a, 1));
  return { m, t, a, pfn: walkPageTable(t.mm!, a)!.pfn, dev: new DeviceMmu(m, { name: 'd', driverClass: 'holds-references' }) };
}

describe('DeviceMmu options', () => {
  it('refuses what is not an options object', async () => {
    const m = new Machine({ era: 'v6' });
    expect(await refusal(() => new DeviceMmu(m, null as never))).toBe('EINVAL: DeviceMmu: options must be an object, got null');
    expect(await refusal(() => new DeviceMmu(m, 'gpu' as never))).toBe('EINVAL: DeviceMmu: options must be an object, got gpu');
  });

  it('refuses a name that is not a non-empty string', async () => {
    const m = new Machine({ era: 'v6' });
    expect(await refusal(() => new DeviceMmu(m, { name: '', driverClass: 'no-references' }))).toBe('EINVAL: DeviceMmu: name "" must be a non-empty string');
    expect(await refusal(() => new DeviceMmu(m, { name: 7 as never, driverClass: 'no-references' }))).toBe('EINVAL: DeviceMmu: name 7 must be a non-empty string');
  });

  it('refuses an unknown driver class, listing the known ones', async () => {
    const m = new Machine({ era: 'v6' });
    expect(await refusal(() => new DeviceMmu(m, { name: 'x', driverClass: 'gru' as never }))).toBe(
      'EINVAL: DeviceMmu x: driver class "gru" is not one of no-references, holds-references, shares-cpu-page-table',
    );
    expect(await refusal(() => new DeviceMmu(m, { name: 'x', driverClass: 3 as never }))).toBe(
      'EINVAL: DeviceMmu x: driver class "3" is not one of no-references, holds-references, shares-cpu-page-table',
    );
  });

  it('refuses a subscription without a name or an ops table, naming what it got', async () => {
    const m = new Machine({ era: 'v6' });
    const make = (subscription: unknown) => () => new DeviceMmu(m, { name: 'x', driverClass: 'no-references', subscription: subscription as never });
    const tail = 'is not an MmuNotifier or MmuIntervalNotifier';
    expect(await refusal(make(7))).toBe(`EINVAL: DeviceMmu x: subscription 7 ${tail}`);
    expect(await refusal(make({ ops: {} }))).toBe(`EINVAL: DeviceMmu x: subscription [object Object] ${tail}`);
    expect(await refusal(make({ name: 'kvm', ops: 1 }))).toBe(`EINVAL: DeviceMmu x: subscription [object Object] ${tail}`);
    expect(await refusal(make([]))).toBe(`EINVAL: DeviceMmu x: subscription [object Array] ${tail}`);
    const fn = Object.assign(function kvm() {}, { ops: {} }); // a name and an ops table, but not an object
    expect(await refusal(make(fn))).toBe(`EINVAL: DeviceMmu x: subscription ${String(fn)} ${tail}`);
    expect(coherenceOracle(m).devices).toEqual([]);
  });

  it('takes a subscription, none (null or left out), or an interval notifier', () => {
    const m = new Machine({ era: 'v6' });
    const sub = new MmuNotifier({}, 'kvm');
    const isub = mmuIntervalNotifier({ invalidate: () => true }, 'odp');
    expect(new DeviceMmu(m, { name: 'a', driverClass: 'no-references', subscription: sub }).subscriptions).toEqual([sub]);
    expect(new DeviceMmu(m, { name: 'b', driverClass: 'no-references', subscription: null }).subscription).toBeNull();
    expect(new DeviceMmu(m, { name: 'c', driverClass: 'shares-cpu-page-table' }).subscription).toBeNull();
    expect(new DeviceMmu(m, { name: 'e', driverClass: 'holds-references', subscription: isub }).subscription).toBe(isub);
    expect(coherenceOracle(m).devices.map((d) => d.name)).toEqual(['a', 'b', 'c', 'e']);
  });
});

describe('DeviceMmu subscriptions: refusals', () => {
  it('addSubscription refuses none, one it has, and what is not one', async () => {
    const m = new Machine({ era: 'v6' });
    const sub = new MmuNotifier({}, 'kvm');
    const dev = new DeviceMmu(m, { name: 'd', driverClass: 'no-references', subscription: sub });
    expect(await refusal(() => dev.addSubscription(null as never))).toBe('EINVAL: d: addSubscription(null): no subscription');
    expect(await refusal(() => dev.addSubscription(sub))).toBe('EINVAL: d: already answers for kvm');
    expect(await refusal(() => dev.addSubscription(5 as never))).toBe('EINVAL: DeviceMmu d: subscription 5 is not an MmuNotifier or MmuIntervalNotifier');
    expect(await refusal(() => dev.answerFor({} as never))).toBe('EINVAL: DeviceMmu d: subscription [object Object] is not an MmuNotifier or MmuIntervalNotifier');
    expect(dev.subscriptions).toEqual([sub]);
    expect(coherenceOracle(m).devicesFor(sub)).toEqual([dev]);
  });

  it('removeSubscription refuses what it does not answer for, naming it', async () => {
    const m = new Machine({ era: 'v6' });
    const sub = new MmuNotifier({}, 'kvm');
    const dev = new DeviceMmu(m, { name: 'd', driverClass: 'no-references', subscription: sub });
    const tail = 'is not one of its subscriptions';
    expect(await refusal(() => dev.removeSubscription(new MmuNotifier({}, 'other')))).toBe(`EINVAL: d: removeSubscription: other ${tail}`);
    expect(await refusal(() => dev.removeSubscription(null as never))).toBe(`EINVAL: d: removeSubscription: null ${tail}`);
    expect(await refusal(() => dev.removeSubscription({ name: 3 } as never))).toBe(`EINVAL: d: removeSubscription: [object Object] ${tail}`);
    expect(await refusal(() => dev.removeSubscription('kvm' as never))).toBe(`EINVAL: d: removeSubscription: kvm ${tail}`);
    const fn = Object.assign(function kvm() {}, { ops: {} });
    expect(await refusal(() => dev.removeSubscription(fn as never))).toBe(`EINVAL: d: removeSubscription: ${String(fn)} ${tail}`);
    expect(dev.subscriptions).toEqual([sub]);
  });

  it('answerFor(null) leaves the device answering for nothing', () => {
    const m = new Machine({ era: 'v6' });
    const sub = new MmuNotifier({}, 'kvm');
    const other = new MmuNotifier({}, 'kvm2');
    const dev = new DeviceMmu(m, { name: 'd', driverClass: 'no-references', subscription: sub });
    dev.addSubscription(other);
    const listed = dev.subscriptions;
    dev.answerFor(null);
    expect(listed).toEqual([sub, other]); // a copy, not the device's own list
    expect(dev.subscriptions).toEqual([]);
    expect(dev.subscription).toBeNull();
    expect(coherenceOracle(m).devicesFor(sub)).toEqual([]);
    expect(coherenceOracle(m).devicesFor(other)).toEqual([]);
  });
});

describe('DeviceMmu.establish: refusals', () => {
  it('refuses what is not an address space, and an exited mm', async () => {
    const { m, t, a, pfn, dev } = await page();
    const where = 'EINVAL: d: establish:';
    expect(await refusal(() => dev.establish(t, null as never, a, pfn))).toBe(`${where} null is not an address space`);
    expect(await refusal(() => dev.establish(t, 4 as never, a, pfn))).toBe(`${where} 4 is not an address space`);
    expect(await refusal(() => dev.establish(t, {} as never, a, pfn))).toBe(`${where} [object Object] is not an address space`);
    const other = m.mem.createProcess('other').task('cpu1');
    const mm = other.mm!;
    await v(m.mem.exit(other));
    expect(await refusal(() => dev.establish(t, mm, a, pfn))).toBe(`${where} mm ${mm.id} has exited`);
    expect(dev.translations()).toEqual([]);
  });

  it('refuses an address that is not a page-aligned user address, naming it', async () => {
    const { t, a, pfn, dev } = await page();
    const bad = (address: unknown) => refusal(() => dev.establish(t, t.mm!, address as number, pfn));
    const tail = 'is not a page-aligned user address';
    expect(await bad(a + 1)).toBe(`EINVAL: d: establish: 0x${(a + 1).toString(16)} ${tail}`);
    expect(await bad(-P)).toBe(`EINVAL: d: establish: 0x-1000 ${tail}`);
    expect(await bad(TASK_SIZE)).toBe(`EINVAL: d: establish: 0x${TASK_SIZE.toString(16)} ${tail}`);
    expect(await bad(P + 0.5)).toBe(`EINVAL: d: establish: 0x1000.8 ${tail}`);
    expect(await bad(2 ** 53)).toBe(`EINVAL: d: establish: 0x20000000000000 ${tail}`);
    expect(await bad('0x1000')).toBe(`EINVAL: d: establish: 0x1000 ${tail}`);
    expect(await bad(null)).toBe(`EINVAL: d: establish: null ${tail}`);
    // The edges it takes: page 0 and the last user page.
    expect(dev.establish(t, t.mm!, 0, pfn).address).toBe(0);
    expect(dev.establish(t, t.mm!, TASK_SIZE - PAGE_SIZE, pfn).address).toBe(TASK_SIZE - PAGE_SIZE);
  });

  it('refuses what is not a frame, naming the range', async () => {
    const { m, t, a, dev } = await page();
    const count = m.mem.frames.count;
    expect(await refusal(() => dev.establish(t, t.mm!, a, count))).toBe(`EINVAL: d: establish: pfn ${count} is not a frame (0..${count - 1})`);
    expect(await refusal(() => dev.establish(t, t.mm!, a, -1))).toBe(`EINVAL: d: establish: pfn -1 is not a frame (0..${count - 1})`);
    expect(dev.establish(t, t.mm!, a, count - 1).pfn).toBe(count - 1);
  });

  it('refuses an mm none of its registered subscriptions is on, naming them; a subscription not yet registered takes any', async () => {
    const { m, t, a, pfn } = await page();
    const other = m.mem.createProcess('other').task('cpu1');
    const kvm = new MmuNotifier({}, 'kvm');
    const kvm2 = new MmuNotifier({}, 'kvm2');
    await v(mmuNotifierRegister(t, kvm, t.mm!));
    await v(mmuNotifierRegister(t, kvm2, t.mm!));
    const dev = new DeviceMmu(m, { name: 'g', driverClass: 'no-references', subscription: kvm });
    dev.addSubscription(kvm2);
    expect(await refusal(() => dev.establish(other, other.mm!, a, pfn))).toBe(`EINVAL: g: establish: the device answers for kvm on mm ${t.mm!.id}, kvm2 on mm ${t.mm!.id}, not for mm ${other.mm!.id}`);
    expect(dev.establish(t, t.mm!, a, pfn).mm).toBe(t.mm);
    dev.addSubscription(new MmuNotifier({}, 'later'));
    expect(dev.establish(other, other.mm!, a, pfn).mm).toBe(other.mm);
    expect(m.report.violations).toEqual([]);
  });

  it('makes a read-only handle unless writable is true', async () => {
    const { t, a, pfn, dev } = await page();
    expect(dev.establish(t, t.mm!, a, pfn).writable).toBe(false);
    expect(dev.establish(t, t.mm!, a, pfn, { writable: 1 as never }).writable).toBe(false);
    expect(dev.establish(t, t.mm!, a, pfn, { writable: true }).writable).toBe(true);
  });
});

describe('DeviceMmu accesses and handle calls: refusals', () => {
  it('refuses a write of what is not a 32-bit unsigned word, and one through a read-only handle', async () => {
    const { m, t, a, pfn, dev } = await page();
    const rw = dev.establish(t, t.mm!, a, pfn, { writable: true });
    for (const value of [-1, 2 ** 32, 1.5, Number.NaN]) expect(await refusal(() => dev.write(t, rw, value))).toBe(`EINVAL: d: write of ${value}: not a 32-bit unsigned word`);
    expect(await refusal(() => dev.write(t, rw, '3' as never))).toBe('EINVAL: d: write of 3: not a 32-bit unsigned word');
    expect(m.mem.frames.content[pfn]).toBe(1);
    await v(dev.write(t, rw, 0xffffffff));
    expect(m.mem.frames.content[pfn]).toBe(0xffffffff);
    await v(dev.write(t, rw, 0));
    expect(m.mem.frames.content[pfn]).toBe(0);
    const ro = dev.establish(t, t.mm!, a, pfn);
    expect(await refusal(() => dev.write(t, ro, 2))).toBe(`EPERM: d: write through read-only ${ro.toString()}`);
  });

  it('every handle call refuses what is not a live handle of this device, naming the call', async () => {
    const { m, t, a, pfn, dev } = await page();
    const other = new DeviceMmu(m, { name: 'e', driverClass: 'holds-references' });
    const theirs = other.establish(t, t.mm!, a, pfn, { writable: true });
    const mine = dev.establish(t, t.mm!, a, pfn, { writable: true });
    dev.drop(mine);
    const calls: [string, (h: DeviceTranslation) => unknown][] = [
      ['read', (h) => dev.read(t, h)],
      ['write', (h) => dev.write(t, h, 1)],
      ['downgrade', (h) => dev.downgrade(h)],
      ['drop', (h) => dev.drop(h)],
      ['testAndClearAccessed', (h) => dev.testAndClearAccessed(h)],
      ['testAndClearDirty', (h) => dev.testAndClearDirty(h)],
    ];
    for (const [what, call] of calls) {
      expect(await refusal(() => call(theirs))).toBe(`EINVAL: d: ${what}: ${theirs.toString()} is not a translation of this device`);
      expect(await refusal(() => call(null as never))).toBe(`EINVAL: d: ${what}: null is not a translation of this device`);
      expect(await refusal(() => call(7 as never))).toBe(`EINVAL: d: ${what}: 7 is not a translation of this device`);
      expect(await refusal(() => call(mine))).toBe(`EINVAL: d: ${what}: ${mine.toString()} was dropped`);
    }
    expect(theirs).toMatchObject({ live: true, writable: true, accessed: false, dirty: false });
  });

  it('dropRange refuses what is not a range; an empty one drops nothing', async () => {
    const { t, a, pfn, dev } = await page();
    dev.establish(t, t.mm!, a, pfn);
    expect(await refusal(() => dev.dropRange(t.mm!, a + P, a))).toBe(`EINVAL: d: dropRange [${a + P}, ${a}) is not a range`);
    expect(await refusal(() => dev.dropRange(t.mm!, Number.NaN, a))).toBe(`EINVAL: d: dropRange [NaN, ${a}) is not a range`);
    expect(await refusal(() => dev.dropRange(t.mm!, a, Number.POSITIVE_INFINITY))).toBe(`EINVAL: d: dropRange [${a}, Infinity) is not a range`);
    expect(dev.dropRange(t.mm!, a, a)).toBe(0);
    expect(dev.translations()).toHaveLength(1);
  });

  it('putPage and unpinUserPage refuse what the device does not hold, naming reference or pin', async () => {
    const { m, t, a, dev } = await page();
    const mm = t.mm!;
    await v(m.mem.write(t, a + P, 2));
    await v(mm.mmapLock.downRead(t));
    const [ref] = await v(dev.getUserPages(t, mm, a, 1));
    const [pin] = await v(dev.getUserPages(t, mm, a + P, 1, { pin: true }));
    await v(mm.mmapLock.upRead(t));
    expect(await refusal(() => dev.unpinUserPage(t, ref!))).toBe(`EINVAL: d: unpinUserPage: the device holds no pin of pfn ${ref}`);
    expect(await refusal(() => dev.putPage(t, m.mem.frames.count))).toBe(`EINVAL: d: putPage: the device holds no get_user_pages reference of pfn ${m.mem.frames.count}`);
    dev.putPage(t, ref!);
    expect(await refusal(() => dev.putPage(t, ref!))).toBe(`EINVAL: d: putPage: the device holds no get_user_pages reference of pfn ${ref}`);
    // core-mm refusing the unpin (the pin was given back behind the device's back): the device still holds it.
    await v(unpinUserPage(m.mem, t, pin!));
    expect(await refusal(() => dev.unpinUserPage(t, pin!))).toMatch(/^EINVAL: /);
    expect(dev.holds().map((h) => [h.pfn, h.pin])).toEqual([[pin, true]]);
  });
});

// The test docs/writing-a-driver.md ends with: the whole conformance suite for the
// tiny driver built there, plus the programmatic report. Imported by package name, as
// the driver's own package would (so this runs the built testkit).
import { readFileSync } from 'node:fs';
import { ERAS, isSmmuError, Machine, MAP, PROT } from '@secondary-mmu/core-mm';
import { describe, expect, it } from 'vitest';
import { checkDriver, MirrorDriver, NO_CAPABILITIES } from '@secondary-mmu/testkit';
import { describeDriverConformance } from '@secondary-mmu/testkit/vitest';
import { tinyMirror } from './examples/tiny-mirror.js';

describeDriverConformance({ name: 'tiny', create: () => tinyMirror });

describe('tiny: the programmatic report', () => {
  it('passes every scenario in every era it declares', async () => {
    const report = await checkDriver(tinyMirror, { seeds: [1, 2, 3] });
    expect(report.cases.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.counts.pass).toBeGreaterThan(0);
  });
});

describe('tiny: what defineDriver and MirrorDriver give it', () => {
  it('declares no capabilities and every era, frozen', () => {
    expect(tinyMirror.name).toBe('tiny');
    expect(tinyMirror.capabilities).toEqual(NO_CAPABILITIES);
    expect([...tinyMirror.eras]).toEqual([...ERAS]);
    expect(Object.isFrozen(tinyMirror)).toBe(true);
  });

  it.each(ERAS)('attach, device read and write, detach in %s: coherent, and nothing left behind', async (era) => {
    const m = new Machine({ era, memory: { frames: 64 } });
    const t = m.mem.createProcess('app').task('cpu0');
    const a = await m.mem.mmap(t, { length: 4096, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous });
    await m.mem.write(t, a, 100);
    const d = await tinyMirror.attach(t, m, t.mm!);
    expect(d).toBeInstanceOf(MirrorDriver);
    expect(await d.read(t, a)).toBe(100);
    await d.write(t, a, 7);
    expect(await m.mem.read(t, a)).toBe(7);
    await d.detach(t);
    expect(d.device.translations()).toEqual([]);
    expect(m.report.violations.map((x) => `${x.kind}: ${x.message}`)).toEqual([]);
  });
});

describe('tiny: a device access in flight when detach runs', () => {
  it.each(ERAS)('%s: the fault, past its lookup when detach ran, installs nothing and the access is EFAULT', async (era) => {
    const m = new Machine({ era, memory: { frames: 64 }, schedule: { strategy: 'random', preempt: ['lock'] } });
    const proc = m.mem.createProcess('app');
    const t = proc.task('cpu0');
    const a = await m.mem.mmap(t, { length: 4096, prot: PROT.read | PROT.write, flags: MAP.private | MAP.anonymous });
    await m.mem.write(t, a, 100);
    const d = await tinyMirror.attach(t, m, t.mm!);
    let result: unknown;
    m.sched.spawn('device', async (task) => {
      result = await Promise.resolve(d.read(task, a)).catch((e: unknown) => e);
    });
    proc.spawn('closer', (task) => d.detach(task));
    // The device runs first; at its first lock (mmap_lock, in the fault) the closer runs detach to its end.
    m.sched.steer((runnable, current) => {
      if (current?.name === 'closer') return current;
      if (current?.name === 'device') return runnable.find((x) => x.name === 'closer') ?? current;
      return runnable.find((x) => x.name === 'device') ?? runnable[0]!;
    });
    const r = await m.sched.run();
    expect(r.violations.map((x) => `${x.kind}: ${x.message}`)).toEqual([]);
    expect(isSmmuError(result, 'EFAULT')).toBe(true);
    expect((result as Error).message).toContain('tiny: mm');
    expect(d.device.translations()).toEqual([]);
  });
});

describe('docs/writing-a-driver.md', () => {
  it('quotes tiny-mirror.ts verbatim in its walkthrough', () => {
    const doc = readFileSync(new URL('../../../docs/writing-a-driver.md', import.meta.url), 'utf8');
    const source = readFileSync(new URL('./examples/tiny-mirror.ts', import.meta.url), 'utf8');
    const walkthrough = doc.slice(doc.indexOf('## 3.'), doc.indexOf('## 4.'));
    const blocks = [...walkthrough.matchAll(/```ts\n([\s\S]*?)```/g)].map((b) => b[1]!);
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(source).toContain(block);
  });
});

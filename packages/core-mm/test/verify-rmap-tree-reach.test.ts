/**
 * Which anon_vmas verify's reverse-map tree check reaches: those of live vmas' chains
 * and those an in-use anonymous frame names — not one only a free frame still names
 * (a freed page belongs to no anon_vma; its stale mapping is no way into a tree).
 */
import { describe, expect, it } from 'vitest';
import { MAP, PG, verify, type Machine } from '../src/index.js';
import { allocDriverPage } from '../src/mm/gup.js';
import { ANON, P, RW, setup, v } from './support/mm-helpers.js';

const BASE = 2 ** 33;

function messages(m: Machine): string[] {
  return verify(m, { record: false }).map((x) => x.message);
}

describe('verify: the anon_vmas whose trees are checked', () => {
  it('one named only by a free frame is not reached; named by an in-use anonymous frame, it is', async () => {
    const { m, t } = setup('v6', 64);
    await v(m.mem.mmap(t, { addr: BASE, length: P, prot: RW, flags: ANON | MAP.fixedNoReplace }));
    await v(m.mem.write(t, BASE, 1));
    const child = (await v(m.mem.fork(t, 'child'))).task('c0');
    const mm = child.mm!;
    const vma = mm.vmas.lookup(BASE)!;
    const own = vma.anonVma!;
    await v(m.mem.exit(child));
    const node = own.tree.insert(vma.pgoff, vma.lastPgoff, vma); // as if exit had left it linked
    const f = m.mem.frames;
    const page = await v(allocDriverPage(m.mem, t, 'kernel'));
    const flags = f.flags[page]!;
    const free = f.flags.findIndex((x, pfn) => pfn !== page && (x & PG.free) !== 0);
    expect(free).toBeGreaterThan(0);
    f.mapping[free] = own.id; // a free frame's stale mapping
    expect(messages(m)).toEqual([]);
    f.mapping[free] = 0;
    [f.flags[page], f.mapping[page]] = [flags | PG.anon, own.id];
    expect(messages(m)).toEqual([`anon_vma ${own.id}'s tree holds vma ${vma.toString()} of mm ${mm.id}, which was torn down (mm dead): a reverse-map walk would reach a dead address space`]);
    [f.flags[page], f.mapping[page]] = [flags, 0];
    own.tree.remove(node);
    expect(messages(m)).toEqual([]);
  });
});

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The built package's two entries loaded side by side, as a CommonJS driver and an
// ESM test runner load them: two copies of every class. A machine of one copy is
// judged, walked and migrated by the other's functions exactly as by its own.
// Typed from the sources and loaded by name at run time: the package's own typecheck
// runs before its build, when the name does not resolve yet.
type CoreMm = typeof import('../src/index.js');
const PACKAGE = '@secondary-mmu/core-mm';
const esm = (await import(PACKAGE)) as CoreMm;
const cjs = createRequire(import.meta.url)(PACKAGE) as CoreMm;

const P = esm.PAGE_SIZE;

/** An ESM machine with an anonymous page and a shared file page mapped. */
async function machineWithPages() {
  const m = new esm.Machine({ era: 'v6', memory: { frames: 64 } });
  const t = m.mem.createProcess('app').task('cpu0');
  const anon = await m.mem.mmap(t, { length: P, prot: esm.PROT.read | esm.PROT.write, flags: esm.MAP.private | esm.MAP.anonymous });
  await m.mem.write(t, anon, 7);
  const file = m.mem.createFile('data', P);
  const shared = await m.mem.mmap(t, { length: P, prot: esm.PROT.read | esm.PROT.write, flags: esm.MAP.shared, file });
  await m.mem.write(t, shared, 9);
  const pfnAt = (address: number): number => t.mm!.pageTable.lookup(address / P)!.word[(address / P) % 512]!;
  return { m, t, file, anonPfn: pfnAt(anon), filePfn: pfnAt(shared), pfnAt, anon, shared };
}

describe('core-mm: one runtime for the ESM and the CommonJS entry', () => {
  it('the entries are two copies', () => {
    expect(cjs.AnonVma).not.toBe(esm.AnonVma);
    expect(cjs.verify).not.toBe(esm.verify);
  });

  it("the other copy's verify finds nothing wrong with a sound machine, and what its own finds when broken", async () => {
    const { m, anonPfn, file } = await machineWithPages();
    expect(cjs.verify(m, { record: false })).toEqual([]);
    const anonVma = m.mem.frames.mapping[anonPfn]!;
    m.mem.frames.mapping[anonPfn] = file.id;
    const broken = (copy: CoreMm): string[] => copy.verify(m, { record: false }).map((v) => v.message);
    expect(broken(cjs)).toEqual(broken(esm));
    expect(broken(cjs)).toContain(`anonymous pfn ${anonPfn} names data (inode ${file.id}) as its mapping, not an anon_vma`);
    m.mem.frames.mapping[anonPfn] = anonVma;
  });

  it("the other copy's rmap walk, migration and writeback work on this copy's anon_vmas and files", async () => {
    const { m, t, file, anonPfn, filePfn, pfnAt, anon, shared } = await machineWithPages();
    expect(cjs.rmapHits(m.mem, anonPfn).map((h) => h.address)).toEqual([anon]);
    expect(cjs.rmapHits(m.mem, filePfn).map((h) => h.address)).toEqual([shared]);
    const moved = await cjs.migratePage(m.mem, t, anonPfn);
    expect(pfnAt(anon)).toBe(moved);
    expect(await m.mem.read(t, anon)).toBe(7);
    const movedFile = await cjs.migratePage(m.mem, t, filePfn);
    expect(file.pageCache.get(0)).toBe(movedFile);
    expect(await cjs.writebackFile(m.mem, t, file)).toBe(1);
    expect(file.backing.get(0)).toBe(9);
    expect(cjs.verify(m, { record: false })).toEqual([]);
  });

  it("instanceof of the other copy's classes: anon_vma, inode and every error class", async () => {
    const { m, anonPfn, filePfn } = await machineWithPages();
    const [anonVma, inode] = [m.mem.ownerOf(anonPfn), m.mem.ownerOf(filePfn)];
    expect(anonVma).toBeInstanceOf(cjs.AnonVma);
    expect(anonVma).not.toBeInstanceOf(cjs.Inode);
    expect(inode).toBeInstanceOf(cjs.Inode);
    expect(inode).not.toBeInstanceOf(cjs.AnonVma);
    expect(new cjs.SmmuError('EINVAL', 'x')).toBeInstanceOf(esm.SmmuError);
    expect(new Error('x')).not.toBeInstanceOf(esm.SmmuError);
    expect(() => cjs.decodeReplayToken('not a token')).toThrow(esm.ReplayTokenError);
    expect(() => cjs.decodeReplayToken('not a token')).toThrow(esm.SmmuError);
    const strict = new cjs.Machine({ strict: true });
    const e = (() => {
      try {
        strict.reportViolation(null, 'invariant', 'broken on purpose');
      } catch (error) {
        return error;
      }
    })();
    expect(e).toBeInstanceOf(esm.ViolationError);
    expect(e).not.toBeInstanceOf(esm.ReplayTokenError);
  });
});

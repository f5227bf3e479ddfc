import { describe, expect, it } from 'vitest';
import { describePte, isMigrationPte, isSwapPte, migrationPte, PTE, ptePermission, pteNone, ptePresent, swapPte } from '../src/index.js';
import { levelIndex as levelIndexForTest } from '../src/mm/layout.js';

describe('PTE encodings', () => {
  it('swap and migration entries are not present and tell themselves apart', () => {
    const swap = swapPte(123456);
    const mig = migrationPte(77, true);
    expect(swap.word).toBe(123456);
    expect(isSwapPte(swap.bits)).toBe(true);
    expect(isMigrationPte(swap.bits)).toBe(false);
    expect(isMigrationPte(mig.bits)).toBe(true);
    expect(isSwapPte(mig.bits)).toBe(false);
    expect(mig.bits & PTE.migrationWrite).toBe(PTE.migrationWrite);
    expect(migrationPte(77, false).bits & PTE.migrationWrite).toBe(0);
    for (const bits of [swap.bits, mig.bits]) {
      expect(ptePresent(bits)).toBe(false);
      expect(pteNone(bits)).toBe(false);
      expect(ptePermission(bits)).toBe('none');
    }
    expect(describePte(PTE.present | PTE.user | PTE.write | PTE.dirty)).toBe('present|write|user|dirty');
    expect(ptePermission(PTE.present)).toBe('none'); // PROT_NONE: present without user
    expect(ptePermission(PTE.present | PTE.user)).toBe('read');
  });

  it('table indices come from arithmetic, right up to the top of the 47-bit space', () => {
    const top = 2 ** 47 / 4096 - 1; // last user page number
    expect([4, 3, 2, 1].map((l) => levelIndexForTest(top, l as 1 | 2 | 3 | 4))).toEqual([255, 511, 511, 511]);
    const above32 = 2 ** 33 / 4096 + 5;
    expect(levelIndexForTest(above32, 1)).toBe(5);
    expect(levelIndexForTest(above32, 2)).toBe(Math.floor(above32 / 512) % 512);
  });
});

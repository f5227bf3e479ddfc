/**
 * The oracle's per-page maps (live handles, pending writes) are keyed by mm id and page:
 * an mm whose last page is deleted is forgotten (the maps stay bounded by live pages
 * while mm ids grow without bound), and deleting from an unknown mm is a no-op.
 */
import { describe, expect, it } from 'vitest';
import { hex, PageMap } from '../src/oracle/page-map.js';

describe('PageMap', () => {
  it('keys by mm and page, forgets an mm with its last page, and ignores deletes of unknown ones', () => {
    const map = new PageMap<string>();
    map.set(3, 0x1000, 'a');
    map.set(3, 0x2fff, 'b');
    map.set(4, 0x1000, 'c');
    expect(map.get(3, 0x1fff)).toBe('a');
    expect(map.get(3, 0x2000)).toBe('b');
    expect(map.get(5, 0x1000)).toBeUndefined();
    map.delete(7, 0x1000);
    map.delete(3, 0x1000);
    expect([...map.pagesOf(3)!]).toEqual([[2, 'b']]);
    map.delete(3, 0x2000);
    expect(map.pagesOf(3)).toBeUndefined();
    expect(map.get(4, 0x1000)).toBe('c');
    expect(hex(255)).toBe('0xff');
  });
});

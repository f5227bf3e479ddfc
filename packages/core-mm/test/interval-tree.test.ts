import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntervalTree, type IntervalNode } from '../src/index.js';

describe('IntervalTree', () => {
  it('answers overlap queries like a brute-force scan, across inserts and removes', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), start: fc.integer({ min: 0, max: 200 }), len: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('query' as const), start: fc.integer({ min: 0, max: 240 }), len: fc.integer({ min: 0, max: 60 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const tree = new IntervalTree<number>();
        const live: { node: IntervalNode<number>; start: number; last: number; id: number }[] = [];
        let id = 0;
        for (const o of ops) {
          if (o.kind === 'insert') {
            live.push({ node: tree.insert(o.start, o.start + o.len, id), start: o.start, last: o.start + o.len, id });
            id++;
          } else if (o.kind === 'remove' && live.length > 0) {
            const [gone] = live.splice(o.pick % live.length, 1);
            expect(tree.remove(gone!.node)).toBe(true);
            expect(tree.remove(gone!.node)).toBe(false);
          } else if (o.kind === 'query') {
            const last = o.start + o.len;
            const expected = live
              .filter((e) => e.start <= last && e.last >= o.start)
              .sort((a, b) => a.start - b.start || a.id - b.id)
              .map((e) => e.id);
            expect(tree.overlapping(o.start, last)).toEqual(expected);
          }
          expect(tree.size).toBe(live.length);
        }
      }),
      { numRuns: 300, seed: 20261126 },
    );
  });

  it('stops a query when the visitor returns false', () => {
    const tree = new IntervalTree<string>();
    for (const s of ['a', 'b', 'c']) tree.insert(0, 10, s);
    const seen: string[] = [];
    tree.query(5, 5, (v) => {
      seen.push(v);
      return seen.length < 2;
    });
    expect(seen).toEqual(['a', 'b']);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeRunToken, encodeRunToken, isCliError, replayCell, runComparison, type CompareCell, type CompareJson } from '../src/index.js';
import { COMPARISON_DOC, comparisonDoc, tokensIn } from './support/comparison-doc.js';

const committed = readFileSync(COMPARISON_DOC, 'utf8');
let fresh: Promise<CompareJson> | undefined;
const comparison = (): Promise<CompareJson> => (fresh ??= runComparison({}));

describe('docs/comparison.md, the committed default comparison', () => {
  it('is current: the default comparison renders to it byte for byte (regenerate with npm run compare:docs -w @secondary-mmu/cli)', async () => {
    expect(comparisonDoc(await comparison())).toBe(committed);
  });

  it('every replay token in it replays to the very cell it stands for', async () => {
    const json = await comparison();
    const byToken = new Map<string, CompareCell>();
    for (const c of [...json.cells, ...json.probes]) if (c.token !== null) byToken.set(c.token, c);
    const tokens = [...new Set(tokensIn(committed))];
    // Every scenario run's token is in the doc; the probes' only as evidence of an answer.
    for (const c of json.cells) if (c.token !== null) expect(tokens).toContain(c.token);
    expect(tokens.length).toBeGreaterThan(json.cells.length);
    for (const token of tokens) {
      const recorded = byToken.get(token);
      expect(recorded, `no cell of the comparison has token ${token}`).toBeDefined();
      expect(await replayCell(token)).toEqual(recorded);
    }
  }, 60_000);

  it('a token whose choices no longer fit its run is diverging-token, never a cell', async () => {
    const json = await comparison();
    const cell = json.cells.find((c) => c.scenario === 'access-vs-reclaim' && c.driver === 'kvm-spte')!;
    const other = json.cells.find((c) => c.scenario === 'fault-vs-munmap' && c.driver === 'kvm-spte')!;
    // access-vs-reclaim's scenario on fault-vs-munmap's recorded schedule.
    const swapped = encodeRunToken({ ...decodeRunToken(cell.token!), token: decodeRunToken(other.token!).token });
    const error = await replayCell(swapped).then(() => null, (e: unknown) => e);
    expect(isCliError(error) ? error.code : error).toBe('diverging-token');
  });
});

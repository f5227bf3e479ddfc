import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { CompareJson } from '../src/index.js';
import { browserCheck, CHROMIUM } from './support/browser.js';
import { cli } from './support/cli.js';

/** What the check reads of the page's elements (the tests compile without the DOM's types). */
interface Node {
  readonly previousElementSibling: { readonly textContent: string | null } | null;
  querySelectorAll(selector: string): Iterable<Node>;
  getAttribute(name: string): string | null;
  getBBox(): { readonly height: number };
}

const check = browserCheck();

describe('compare --report in a real headless browser (Chromium)', () => {
  it.runIf(check.run)('the page loads with no console error and each timeline has one lane per driver that ran', async () => {
    if (check.missing !== null) throw new Error(`CI=true: the browser check may not be skipped: ${check.missing}`);
    const dir = mkdtempSync(path.join(tmpdir(), 'smmu-browser-'));
    const r = await cli('compare', '--driver', 'kvm-spte', '--driver', 'gru', '--driver', 'xpmem', '--driver', 'acking-mirror', '--scenario', 'fault-vs-munmap', '--scenario', 'sleeping-invalidate', '--report', dir, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as CompareJson;
    const expected: { title: string; lanes: string[] }[] = [];
    for (const s of [...new Set(json.cells.map((c) => c.scenario))]) {
      for (const era of [...new Set(json.cells.filter((c) => c.scenario === s).map((c) => c.era))]) {
        expected.push({ title: `${s} in ${era}`, lanes: json.cells.filter((c) => c.scenario === s && c.era === era && c.token !== null).map((c) => c.driver) });
      }
    }

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      const response = await page.goto(pathToFileURL(path.join(dir, 'compare.html')).href, { waitUntil: 'load' });
      expect(response?.ok() ?? true).toBe(true);
      expect(await page.title()).toBe('secondary-mmu compare');
      const timelines = await page.$$eval('svg.timeline', (found) =>
        (found as unknown as readonly Node[]).map((svg) => ({
          title: svg.previousElementSibling?.textContent ?? '',
          lanes: [...svg.querySelectorAll('g.lane')].map((g) => g.getAttribute('data-lane') ?? ''),
          // Drawn, not just present: each lane has a rendered box.
          drawn: [...svg.querySelectorAll('g.lane')].every((g) => g.getBBox().height > 0),
        })),
      );
      expect(timelines.map(({ title, lanes }) => ({ title, lanes }))).toEqual(expected);
      expect(timelines.every((t) => t.drawn)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

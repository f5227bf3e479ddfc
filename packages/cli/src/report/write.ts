import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CompareJson } from '../compare/run-comparison.js';
import { compareHtml } from './html.js';
import { compareMarkdown } from './markdown.js';
import type { RunTimeline } from './timeline.js';

/** Write `compare.md` and `compare.html` into `dir` (made when missing); their paths. Kernel counterpart: none. */
export function writeCompareReport(dir: string, result: CompareJson, timelines: readonly RunTimeline[], command: string): { readonly markdown: string; readonly html: string } {
  mkdirSync(dir, { recursive: true });
  const markdown = path.join(dir, 'compare.md');
  const html = path.join(dir, 'compare.html');
  writeFileSync(markdown, compareMarkdown(result, command));
  writeFileSync(html, compareHtml(result, timelines, command));
  return { markdown, html };
}

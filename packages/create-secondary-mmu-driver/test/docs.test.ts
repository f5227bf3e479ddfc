// docs/writing-a-driver.md explains the generated code by quoting it: every quoted
// block must be in a template verbatim, and the commands it starts from must work.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { templatesDir } from '../src/templates.js';

const doc = readFileSync(path.resolve(import.meta.dirname, '..', '..', '..', 'docs', 'writing-a-driver.md'), 'utf8');
const generatedPart = doc.slice(doc.indexOf('## Start:'), doc.indexOf('\n## 1.'));

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'));

describe('docs/writing-a-driver.md, the generated package', () => {
  it('comes first, before the hand-built driver of steps 1-6', () => {
    expect(doc.indexOf('## Start: `npm create secondary-mmu-driver`')).toBeGreaterThan(0);
    expect(doc.indexOf('## Start:')).toBeLessThan(doc.indexOf('\n## 1.'));
  });

  it('quotes the templates verbatim', () => {
    const all = sources(templatesDir()).join('\n');
    const blocks = [...generatedPart.matchAll(/```ts\n([\s\S]*?)```/g)].map((b) => b[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    for (const block of blocks) expect(all).toContain(block);
  });

  it('its command is the create command with a real template', () => {
    const sh = /```sh\n([\s\S]*?)```/.exec(generatedPart)?.[1] ?? '';
    expect(sh).toMatch(/^npm create secondary-mmu-driver my-driver -- --template (interval|classic|shared-page-table)\n/);
  });
});

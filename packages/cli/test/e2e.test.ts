import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { committedSection, semanticsSection } from './support/semantics-doc.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('fixtures/', import.meta.url));
const DOC = fileURLToPath(new URL('../../../docs/cli.md', import.meta.url));
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

/** Run the built executable as a user would: its exit code and output. */
function bin(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NO_COLOR' && k !== 'FORCE_COLOR'));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...base, ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

// Child processes wait on the OS, not on this thread: run them side by side.
describe.concurrent('the built secondary-mmu executable', () => {
  it('compare with no arguments prints the semantics table, the runs and the next commands (no progress bar off a terminal)', async () => {
    const r = await bin(['compare']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Semantics/);
    expect(r.stdout).toMatch(/kvm-spte-refs-per-spte +v2\.6\.27 +yes +yes +no +yes/);
    expect(r.stdout).toMatch(/gru +v6 +no +no +no +yes/);
    expect(r.stdout).toMatch(/Next:\n {2}secondary-mmu compare --json/);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(ANSI);
    // docs/cli.md holds this table: regenerate it with `npm run compare:docs -w @secondary-mmu/cli`.
    expect(committedSection(readFileSync(DOC, 'utf8'))).toBe(semanticsSection(r.stdout));
  });

  it('colours when asked (FORCE_COLOR) off a terminal', async () => {
    expect((await bin(['scenarios'], { FORCE_COLOR: '1' })).stdout).toMatch(ANSI);
  });

  it('explore finds a variant\'s race (exit 1) and its printed token replays with the full trace and a Perfetto file', async () => {
    const found = await bin(['explore', 'fault-vs-munmap', '--driver', 'kvm-spte', '--variant', 'ignores-in-progress', '--schedules', '100']);
    expect(found.stdout).toMatch(/FAIL at schedule \d+/);
    expect(found.code).toBe(1);
    const token = /secondary-mmu replay (smcli1\.\S+)/.exec(found.stdout)![1]!;
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'smmu-cli-')), 'trace.json');
    const replayed = await bin(['replay', token, '--trace-out', out]);
    expect(replayed.code).toBe(1);
    expect(replayed.stdout).toMatch(/cpu: kvm-spte-ignores-in-progress\.invalidate_range_start \[0x/);
    const chrome = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: { ph: string }[] };
    expect(chrome.traceEvents.some((e) => e.ph === 'X')).toBe(true);
  });

  it('bad input is exit 2 with the message on stderr, uncoloured under NO_COLOR even with FORCE_COLOR', async () => {
    const r = await bin(['run', `${FIXTURES}bad-field.yaml`], { FORCE_COLOR: '1', NO_COLOR: '1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: EINVAL/);
    expect(r.stderr).toMatch(/bad-field\.yaml:12: drivers\[0\]\.process: unknown process "ghost"/);
  });
});

describe('scripts/start.ts (npm start on a fresh clone)', () => {
  it('bundles the CLI from the workspace sources and prints the same comparison as the built CLI', async () => {
    const args = ['compare', '--driver', 'gru', '--scenario', 'fault-vs-munmap', '--era', 'v6', '--json'];
    const tsx = fileURLToPath(new URL('../../../node_modules/tsx/dist/cli.mjs', import.meta.url));
    const start = fileURLToPath(new URL('../scripts/start.ts', import.meta.url));
    const fromSources = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [tsx, start, ...args], (error: Error | null, out: string) => (error === null ? resolve(out) : reject(error)));
    });
    expect(fromSources).toBe((await bin(args)).stdout);
  });
});

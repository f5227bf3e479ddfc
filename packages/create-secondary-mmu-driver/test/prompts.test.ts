// On a terminal: what is not given is asked for; a bad answer is asked again; Ctrl-C writes nothing.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { create, scriptedPrompter, tempDir } from './support/run.js';

describe('interactive prompts', () => {
  it('asks for the directory and the template, re-asking after a bad package name', async () => {
    const root = tempDir();
    const prompter = scriptedPrompter({ text: [path.join(root, 'Not Valid'), path.join(root, 'good-driver')], select: ['shared-page-table'] });
    const { code, stdout } = await create([], prompter);
    expect(code).toBe(0);
    expect(prompter.asked).toEqual(['Where should the driver package go?', 'Which driver shape? interval|classic|shared-page-table']);
    expect(prompter.rejected).toEqual([expect.stringContaining('invalid package name "Not Valid"')]);
    expect(stdout).toContain('Created good-driver (shared-page-table template)');
    expect(JSON.parse(readFileSync(path.join(root, 'good-driver', 'package.json'), 'utf8'))).toMatchObject({ name: 'good-driver' });
  });

  it('asks only for what the flags leave out', async () => {
    const dir = path.join(tempDir(), 'd');
    const prompter = scriptedPrompter({ select: ['interval'] });
    expect((await create([dir], prompter)).code).toBe(0);
    expect(prompter.asked).toEqual(['Which driver shape? interval|classic|shared-page-table']);
    expect(existsSync(path.join(dir, 'src', 'mirror.ts'))).toBe(true);
  });

  it('a cancelled prompt exits 1 and writes nothing', async () => {
    const dir = path.join(tempDir(), 'd');
    const { code, stderr } = await create([dir], scriptedPrompter({ select: [undefined] }));
    expect(code).toBe(1);
    expect(stderr).toContain('Cancelled: nothing was written.');
    expect(existsSync(dir)).toBe(false);
  });
});

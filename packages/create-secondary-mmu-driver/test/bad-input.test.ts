// Bad input: exit 2, a message naming the value, and nothing written.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CreateError } from '../src/errors.js';
import { createDriverPackage } from '../src/scaffold.js';
import { create, tempDir } from './support/run.js';

describe('bad input exits 2 naming the value, writing nothing', () => {
  it.each(['My-Driver', 'has space', '.hidden', 'a'.repeat(215), 'node_modules', '@scope/'])('the package name %j', async (name) => {
    const dir = path.join(tempDir(), 'x');
    const { code, stderr } = await create([dir, '--template', 'classic', '--name', name]);
    expect(code).toBe(2);
    expect(stderr).toContain(`invalid package name "${name}"`);
    expect(existsSync(dir)).toBe(false);
  });

  it('a directory whose name is no package name, and no --name', async () => {
    const dir = path.join(tempDir(), 'Bad Name');
    const { code, stderr } = await create([dir, '--yes']);
    expect(code).toBe(2);
    expect(stderr).toContain('invalid package name "Bad Name"');
    expect(existsSync(dir)).toBe(false);
  });

  it.each(['intervals', 'SVA', ''])('the template %j', async (template) => {
    const dir = path.join(tempDir(), 'x');
    const { code, stderr } = await create([dir, '--template', template]);
    expect(code).toBe(2);
    expect(stderr).toContain(`unknown template "${template}": choose one of interval, classic, shared-page-table`);
    expect(existsSync(dir)).toBe(false);
  });

  it('a non-empty directory: refused, its file untouched', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    const { code, stderr } = await create([dir, '--template', 'interval', '--name', 'ok']);
    expect(code).toBe(2);
    expect(stderr).toContain(`"${dir}" is not empty`);
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('a target that is a file', async () => {
    const file = path.join(tempDir(), 'file');
    writeFileSync(file, '');
    const { code, stderr } = await create([file, '--template', 'interval']);
    expect(code).toBe(2);
    expect(stderr).toContain(`"${file}" exists and is not a directory`);
  });

  it('no template, no --yes and no terminal to ask on', async () => {
    const dir = path.join(tempDir(), 'x');
    const { code, stderr } = await create([dir]);
    expect(code).toBe(2);
    expect(stderr).toContain('no template given and no terminal to ask on');
    expect(existsSync(dir)).toBe(false);
  });

  it('an unknown option', async () => {
    const { code, stderr } = await create(['x', '--templat', 'classic']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option '--templat'");
  });

  it('createDriverPackage throws a CreateError with a stable code, problem and value', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'sub'));
    const thrown = (f: () => unknown): unknown => {
      try {
        f();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(thrown(() => createDriverPackage({ directory: dir, name: 'ok', template: 'classic' }))).toMatchObject({ code: 'EEXIST', problem: 'directory-not-empty', value: dir });
    const bad = thrown(() => createDriverPackage({ directory: path.join(dir, 'y'), name: 'ok', template: 'kvm' }));
    expect(bad).toBeInstanceOf(CreateError);
    expect(bad).toMatchObject({ code: 'EINVAL', problem: 'unknown-template', value: 'kvm' });
  });
});

describe('the executable', () => {
  const bin = path.resolve(import.meta.dirname, '..', 'src', 'bin.ts');
  // tsx's loader by absolute URL: the command also runs in a directory outside the repository.
  const tsx = pathToFileURL(path.join(path.dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;
  const node = (args: string[], cwd?: string) => spawnSync(process.execPath, ['--import', tsx, bin, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  it('exits 2 on a bad template, 0 with --help listing the templates', () => {
    const bad = node([path.join(tempDir(), 'x'), '--template', 'nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown template "nope"');
    const help = node(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/interval[\s\S]*classic[\s\S]*shared-page-table/);
  });

  it('--yes with no terminal: the defaults', () => {
    const cwd = tempDir();
    const result = node(['--yes'], cwd);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Created my-driver (classic template) in my-driver');
    expect(existsSync(path.join(cwd, 'my-driver', 'src', 'notifier.ts'))).toBe(true);
  });
});

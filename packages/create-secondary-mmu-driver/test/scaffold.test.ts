// Each template generated into a temporary directory: the files, the package.json (the
// SDK at the workspace's versions), the rendered README, the sources as in the repo.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDriverPackage } from '../src/scaffold.js';
import { TEMPLATE_NAMES, templatesDir } from '../src/templates.js';
import { create, tempDir } from './support/run.js';

const repo = path.resolve(import.meta.dirname, '..', '..', '..');
const workspaceVersion = (dir: string): string => (JSON.parse(readFileSync(path.join(repo, 'packages', dir, 'package.json'), 'utf8')) as { version: string }).version;
const rootDevDependency = (name: string): string => (JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies[name]!;

const SOURCES = {
  interval: ['src/index.ts', 'src/mirror.ts'],
  classic: ['src/index.ts', 'src/mirror.ts', 'src/notifier.ts', 'src/table.ts'],
  'shared-page-table': ['src/device.ts', 'src/index.ts'],
} as const;

describe.each(TEMPLATE_NAMES)('npm create secondary-mmu-driver my-driver -- --template %s', (template) => {
  it('writes the package: sources, conformance test, tsconfigs, changesets, .gitignore, README, package.json', async () => {
    const dir = path.join(tempDir(), 'my-driver');
    const { code, stdout, stderr } = await create([dir, '--template', template]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Created my-driver (${template} template)`);
    expect(stdout).toMatch(/npm install\n {2}npm test/);
    const files = ['.changeset/README.md', '.changeset/config.json', '.gitignore', 'README.md', 'package.json', ...SOURCES[template], 'test/conformance.test.ts', 'tsconfig.build.json', 'tsconfig.json'].sort();
    const created = createDriverPackage({ directory: path.join(tempDir(), 'again'), name: 'again', template });
    expect(created.files).toEqual(files);
    for (const file of [...SOURCES[template], 'test/conformance.test.ts']) {
      expect(readFileSync(path.join(dir, file), 'utf8')).toBe(readFileSync(path.join(templatesDir(), template, file), 'utf8'));
    }
    expect(existsSync(path.join(dir, '_gitignore'))).toBe(false);
  });

  it('package.json: the SDK at the workspace versions, the testkit for the suite only, vitest and tsc scripts', () => {
    const dir = path.join(tempDir(), 'drv');
    createDriverPackage({ directory: dir, name: '@acme/drv', template });
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(pkg.name).toBe('@acme/drv');
    expect(pkg.type).toBe('module');
    expect(pkg.dependencies).toEqual({ '@secondary-mmu/core-mm': `^${workspaceVersion('core-mm')}`, '@secondary-mmu/mmu-notifier': `^${workspaceVersion('mmu-notifier')}` });
    expect(pkg.devDependencies).toEqual({
      '@secondary-mmu/testkit': `^${workspaceVersion('testkit')}`,
      vitest: rootDevDependency('vitest'),
      typescript: rootDevDependency('typescript'),
      '@changesets/cli': rootDevDependency('@changesets/cli'),
    });
    expect(pkg.scripts).toMatchObject({ test: 'vitest run', typecheck: 'tsc -p tsconfig.json', build: 'tsc -p tsconfig.build.json' });
  });

  it('README: the name and template filled in, each callback and the suite explained', () => {
    const dir = path.join(tempDir(), 'drv');
    createDriverPackage({ directory: dir, name: 'drv', template });
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    expect(readme.startsWith('# drv\n')).toBe(true);
    expect(readme).toContain(`(template \`${template}\`)`);
    expect(readme).not.toContain('{{');
    const callbacks = { interval: ['invalidate('], classic: ['invalidateRangeStart', 'invalidateRangeEnd', 'invalidatePage', 'clearFlushYoung', 'release'], 'shared-page-table': ['archInvalidateSecondaryTlbs', 'release'] }[template];
    for (const callback of callbacks) expect(readme).toContain(callback);
    expect(readme).toContain('## What the suite checks');
    expect(readme).toContain('replay token');
  });
});

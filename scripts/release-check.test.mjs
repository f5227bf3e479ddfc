// The release scripts' own logic on small fixtures: which packages are published and
// with which entries, the tarball check that fires on a missing LICENSE, and the
// blocks of docs/writing-a-driver.md that release:loopback runs.
// Run: node --test scripts/release-check.test.mjs
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { docBlock, installCommands } from './release-driver-author.mjs';
import { packAll } from './release-pack.mjs';
import { publishedPackages } from './release-workspaces.mjs';

const root = mkdtempSync(path.join(os.tmpdir(), 'smmu-release-fixture-'));
after(() => rmSync(root, { recursive: true, force: true }));

const write = (file, text) => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), typeof text === 'string' ? text : JSON.stringify(text));
};
write('package.json', { name: 'fixture', private: true, workspaces: ['packages/*', 'apps/*'] });
const dual = (name) => ({ import: `./dist/${name}.js`, require: `./dist/${name}.cjs` });
write('packages/lib/package.json', {
  name: '@scope/lib',
  version: '0.1.0',
  exports: { '.': dual('index'), './extra': dual('extra'), './vitest': { import: './dist/vitest.js' }, './schema.json': './schema.json', './package.json': './package.json' },
  bin: { 'lib-cli': './dist/cli.js' },
});
write('packages/lib/dist/index.js', 'export const x = 1;\n');
write('packages/lib/README.md', '# lib\n');
write('packages/lib/LICENSE', 'MIT\n');
write('packages/unlicensed/package.json', { name: '@scope/unlicensed', version: '0.1.0' });
write('packages/unlicensed/README.md', '# unlicensed\n');
write('packages/unlicensed/index.js', '');
write('apps/sample/package.json', { name: 'sample', version: '0.0.0', private: true });

describe('publishedPackages', () => {
  const found = publishedPackages(root);

  it('finds every non-private workspace package, and no private one', () => {
    assert.deepEqual(found.map((p) => p.name), ['@scope/lib', '@scope/unlicensed']);
  });

  it('lists the JavaScript entries, marking one with only an import condition as ESM only', () => {
    const lib = found.find((p) => p.name === '@scope/lib');
    assert.deepEqual(lib.entries, [
      { subpath: '.', specifier: '@scope/lib', requirable: true },
      { subpath: './extra', specifier: '@scope/lib/extra', requirable: true },
      { subpath: './vitest', specifier: '@scope/lib/vitest', requirable: false },
    ]);
    assert.deepEqual(lib.bins, ['lib-cli']);
  });
});

describe('packAll', () => {
  const packages = publishedPackages(root);
  const out = path.join(root, 'out');
  mkdirSync(out);

  it('fails on a tarball without LICENSE, naming that package only', () => {
    assert.throws(() => packAll(packages, out, root), (error) => /^@scope\/unlicensed: the tarball has no LICENSE$/.test(error.message));
  });

  it('packs a package with LICENSE and README, reporting its size', () => {
    const [lib] = packAll(packages.filter((p) => p.name === '@scope/lib'), out, root);
    assert.equal(lib.name, '@scope/lib');
    assert.ok(lib.size > 0 && lib.unpackedSize > 0);
  });
});

describe('the blocks of docs/writing-a-driver.md that release:loopback runs', () => {
  it('has the install commands, a tsconfig and a suite file', () => {
    assert.ok(installCommands().some((c) => c.startsWith('npm install @secondary-mmu/')));
    assert.equal(JSON.parse(docBlock('1.', 'json')).compilerOptions.module, 'nodenext');
    assert.match(docBlock('4.', 'ts'), /describeDriverConformance/);
  });

  it('names the heading when a block is missing', () => {
    assert.throws(() => docBlock('9.', 'ts'), /no ```ts block under "## 9\."/);
  });
});

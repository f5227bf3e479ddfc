import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Run `code` in a fresh Node process from this package's directory; its stdout. */
function node(args: string[]): string {
  const r = spawnSync(process.execPath, args, { cwd: new URL('..', import.meta.url), encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trim();
}

describe('package entries (built dist)', () => {
  it('the main entry loads from CommonJS without vitest', () => {
    expect(node(['-e', "const t = require('@secondary-mmu/testkit'); console.log(Object.keys(t.NO_CAPABILITIES).join(','))"])).toBe(
      'holdsPageRefs,implementsAging,mayBlock,mayFailStart,sharesCpuPageTable',
    );
  });

  it('the main entry loads from ESM', () => {
    expect(node(['--input-type=module', '-e', "import { NO_CAPABILITIES } from '@secondary-mmu/testkit'; console.log(NO_CAPABILITIES.mayBlock)"])).toBe('false');
  });

  it('the JSON Schema is a subpath export, from CommonJS and ESM', () => {
    expect(node(['-e', "console.log(require('@secondary-mmu/testkit/scenario.schema.json').properties.version.const)"])).toBe('1');
    expect(
      node(['--input-type=module', '-e', "import s from '@secondary-mmu/testkit/scenario.schema.json' with { type: 'json' }; console.log(s.title)"]),
    ).toBe('secondary-mmu-sdk scenario');
  });

  it('the vitest subpath is ESM only', () => {
    const r = spawnSync(process.execPath, ['-e', "require('@secondary-mmu/testkit/vitest')"], { cwd: new URL('..', import.meta.url), encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/ERR_PACKAGE_PATH_NOT_EXPORTED|No "exports" main defined/);
  });
});

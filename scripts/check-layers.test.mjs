// The layer rules fire where they should and nowhere else: `npm run test:layers`.
// Runs the layer check's own command over scripts/layers-fixture (copied out of the
// repo, so no node_modules is found above it) and compares every violation reported.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const depcruise = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const config = path.join(root, '.dependency-cruiser.cjs');

test('each layer rule fires on the fixture, and only there', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'layers-fixture-'));
  try {
    cpSync(path.join(root, 'scripts/layers-fixture'), dir, { recursive: true });
    const run = spawnSync(
      process.execPath,
      [depcruise, '--config', config, '--output-type', 'json', '{packages,apps}/*/src'],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.equal(run.error, undefined);
    assert.ok(run.stdout.startsWith('{'), run.stderr);
    /** @type {{ summary: { violations: { rule: { name: string }, from: string, to: string }[] } }} */
    const result = JSON.parse(run.stdout);
    const found = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    assert.deepEqual(
      found,
      [
        'kernel-is-self-contained: packages/core-mm/src/kernel/task.ts → packages/core-mm/src/mm/page.ts',
        'layer-core-mm: packages/core-mm/src/index.ts → @secondary-mmu/mmu-notifier',
        'layer-kvm-spte: packages/kvm-spte/src/index.ts → @secondary-mmu/gru',
        'layer-kvm-spte: packages/kvm-spte/src/index.ts → @secondary-mmu/testkit',
        'layer-testkit: packages/testkit/src/index.ts → @secondary-mmu/kvm-spte',
        'layer-unlisted-package: packages/unlisted/src/index.ts → @secondary-mmu/core-mm',
        'mm-below-machine: packages/core-mm/src/mm/mm.ts → packages/core-mm/src/experiments/rounds.ts',
        'mm-below-machine: packages/core-mm/src/mm/mm.ts → packages/core-mm/src/machine.ts',
        'no-circular: apps/demo/src/index.ts → apps/demo/src/view.ts',
        'no-circular: packages/mmu-notifier/src/a.ts → packages/mmu-notifier/src/b.ts',
        'no-relative-import-out-of-package: packages/mmu-notifier/src/index.ts → packages/core-mm/src/mm/page.ts',
      ].sort(),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

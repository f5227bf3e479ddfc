import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';
import { modelHash } from '../../scripts/model-hash.ts';

const packageDir = path.dirname(fileURLToPath(import.meta.url));

export default defineProject({
  // Same define as the tsup build (see tsup.config.base.ts).
  define: {
    __SMMU_MODEL_HASH__: JSON.stringify(modelHash(path.join(packageDir, 'src'))),
  },
  test: {
    name: 'testkit',
    root: packageDir,
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // A hang guard, not a speed check: CI runs three packages' tests and lint on two cores at once.
    testTimeout: 60_000,
    setupFiles: ['test/support/verify-after-each.ts'],
    // The JSON report feeds scripts/test-summary.mjs, the gate's closing line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results.json' },
  },
});

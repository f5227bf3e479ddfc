import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeConfig, type ViteUserConfig } from 'vitest/config';
import { modelHash } from '../scripts/model-hash.ts';

export interface PackageProjectOptions {
  /** The project's name in vitest's output: the package's folder name. */
  readonly name: string;
}

/**
 * The vitest project of one workspace package, the same for every package: its
 * `vitest.config.ts` is `export default packageProject(import.meta.url, { name })`.
 * The package directory is the config file's directory (`configUrl`, its
 * `import.meta.url`): `vitest run` in the package and `vitest run` at the root (one
 * project per package) then see the same project. `overrides` are merged over it
 * with vitest's `mergeConfig` (arrays such as `include` and `setupFiles` are
 * concatenated, not replaced).
 *
 * Typed as a whole vitest config rather than `defineProject`'s project config: the
 * package's `vitest run` (turbo's `test` task) reads it as its root config, where
 * `reporters` apply; as a project of the root run, vitest takes those from the root.
 */
export function packageProject(
  configUrl: string,
  { name }: PackageProjectOptions,
  overrides: ViteUserConfig = {},
): ViteUserConfig {
  const packageDir = path.dirname(fileURLToPath(configUrl));
  const base: ViteUserConfig = {
    // Same define as the tsup build (see tsup.config.base.ts).
    define: {
      __SMMU_MODEL_HASH__: JSON.stringify(modelHash(path.join(packageDir, 'src'))),
    },
    test: {
      name,
      root: packageDir,
      include: ['test/**/*.test.ts'],
      environment: 'node',
      // A hang guard, not a speed check: CI runs three packages' tests and lint on two cores at once.
      testTimeout: 60_000,
      // Each package's own setup file: it hands the core-mm its tests use (src or dist)
      // to verifyAfterEach in test-support/verify-after-each.ts.
      // And the explorer's heap setting (test-support/exploration-heap.ts).
      setupFiles: ['test/support/verify-after-each.ts', path.join(path.dirname(fileURLToPath(import.meta.url)), 'exploration-heap.ts')],
      // The JSON report feeds scripts/test-summary.mjs, the gate's closing line.
      reporters: ['default', 'json'],
      outputFile: { json: 'test-results.json' },
    },
  };
  return mergeConfig(base, overrides);
}

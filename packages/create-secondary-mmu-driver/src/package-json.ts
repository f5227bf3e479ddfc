import { DEV_PACKAGES, RUNTIME_PACKAGES, sdkVersions } from './sdk-versions.js';
import type { TemplateName } from './templates.js';

/**
 * The generated driver's package.json: ESM, built by `tsc` into `dist/`, tested by
 * vitest, released with changesets; the SDK at the versions this package was released
 * with (core-mm and mmu-notifier at run time, the testkit for the suite only).
 * Kernel counterpart: none.
 */
export function driverPackageJson(name: string, template: TemplateName): Record<string, unknown> {
  const versions = sdkVersions();
  const pick = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, versions[n]]));
  return {
    name,
    version: '0.0.0',
    description: `A secondary-MMU driver for the secondary-mmu-sdk model (the ${template} template of create-secondary-mmu-driver).`,
    type: 'module',
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    files: ['dist'],
    engines: { node: '>=20' },
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      typecheck: 'tsc -p tsconfig.json',
      test: 'vitest run',
      changeset: 'changeset',
      release: 'npm run build && changeset publish',
    },
    dependencies: pick(RUNTIME_PACKAGES),
    devDependencies: pick(DEV_PACKAGES),
  };
}

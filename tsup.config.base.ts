import path from 'node:path';
import type { Options } from 'tsup';
import { modelHash } from './scripts/model-hash.ts';

/**
 * Shared tsup options for every package. Call it from the package's
 * tsup.config.ts; `packageDir` defaults to the current working directory
 * (turbo and npm run package scripts from the package directory).
 */
export function baseTsupOptions(packageDir: string = process.cwd()): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    // Maps without the sources embedded: stack traces (node --enable-source-maps,
    // vitest) still name src/<file>.ts:line, and the tarball does not carry the whole
    // source twice (once per format). See docs/packages.md, "Source maps".
    sourcemap: true,
    esbuildOptions(options) {
      options.sourcesContent = false;
    },
    clean: true,
    target: 'node20',
    platform: 'node',
    // tsup's dts step fails with composite projects and should not see tests.
    tsconfig: 'tsconfig.build.json',
    define: {
      __SMMU_MODEL_HASH__: JSON.stringify(modelHash(path.join(packageDir, 'src'))),
    },
  };
}

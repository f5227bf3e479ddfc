// The StrykerJS configuration every package's stryker.config.mjs shares. Stryker runs
// from the repository root (`npm run mutation`), so the sandbox it copies holds the
// shared test support the packages' vitest configs import. Each package is tested
// with its own vitest project and tests, with per-test coverage (each mutant runs only
// the tests that reach it), and an incremental file kept in git so a rerun tests only
// the mutants whose code or tests changed.

/**
 * @param {string} name the package's folder name
 * @param {string[]} mutate the files (globs) under test, relative to the package
 */
export function strykerConfig(name, mutate) {
  const dir = `packages/${name}`;
  return {
    packageManager: 'npm',
    testRunner: 'vitest',
    vitest: { configFile: `${dir}/vitest.config.ts`, dir },
    plugins: ['@stryker-mutator/vitest-runner'],
    coverageAnalysis: 'perTest',
    mutate: mutate.map((m) => (m.startsWith('!') ? `!${dir}/${m.slice(1)}` : `${dir}/${m}`)),
    ignorePatterns: ['docs/api', 'reports', 'mutation', '.turbo', '.stryker-tmp', 'packages/*/test-results.json'],
    concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
    timeoutMS: 5_000,
    incremental: true,
    incrementalFile: `mutation/${name}.incremental.json`,
    reporters: ['clear-text', 'html', 'json', 'progress'],
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    tempDirName: `.stryker-tmp/${name}`,
    cleanTempDir: 'always',
    thresholds: { high: 90, low: 80, break: null },
  };
}

// The vitest project Stryker runs (stryker.config.mjs): the package's own, with only
// the test files written for the files under mutation. The whole suite runs many
// explorations, and every scenario run reaches the window matcher: with it, each of the
// matcher's ~300 mutants ran some ten seconds of tests (about an hour a file on one
// core), nearly all of it runs that judge something else. These files pin the rules
// themselves, record by record; the whole suite still runs in CI.
import { packageProject } from '../../test-support/vitest.base.ts';

const project = packageProject(import.meta.url, { name: 'testkit' });

export default {
  ...project,
  test: {
    ...project.test,
    include: [
      // windows.ts, adapt-windows.ts
      'test/window-matching.test.ts',
      'test/adapt-windows.test.ts',
      'test/scenario-sync.test.ts',
      // check.ts
      'test/scenario-references.test.ts',
      'test/bad-input.test.ts',
      'test/scenario-schema.test.ts',
      // run-case.ts, capability.ts
      'test/conformance-case-verdict.test.ts',
      'test/conformance-capability.test.ts',
    ],
  },
};

import { defineConfig } from 'vitest/config';

// One vitest project per workspace package/app that has a vitest.config.ts.
// Globs that match nothing (e.g. an empty or missing apps/) are fine.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts'],
  },
});

import { defineConfig } from 'tsup';
import { baseTsupOptions } from '../../tsup.config.base.ts';

// The main entry and the kill matrix's `./kill-matrix` subpath (ESM and CJS, no vitest;
// one build, so the ESM files share chunks), and the ESM-only vitest integration on the
// `./vitest` subpath, which keeps vitest external.
// The build script empties dist first: two configs cleaning in parallel would race.
const base = { ...baseTsupOptions(), clean: false };
export default defineConfig([
  { ...base, entry: { index: 'src/index.ts', 'kill-matrix': 'src/kill-matrix/index.ts' } },
  { ...base, entry: { vitest: 'src/vitest/index.ts' }, format: ['esm'], external: ['vitest'] },
]);

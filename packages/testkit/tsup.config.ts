import { defineConfig } from 'tsup';
import { baseTsupOptions } from '../../tsup.config.base.ts';

// The main entry and the kill matrix's `./kill-matrix` subpath (ESM and CJS, no vitest;
// one build, so the ESM files share chunks), the ESM-only vitest integration on the
// `./vitest` subpath, which keeps vitest external, and the explorer's worker-thread
// entry (ESM only, no types: only the worker pool loads it, by path).
// The build script empties dist first: two configs cleaning in parallel would race.
// `shims` gives the CJS build `import.meta.url`, by which the pool finds the worker.
const base = { ...baseTsupOptions(), clean: false, shims: true };
export default defineConfig([
  { ...base, entry: { index: 'src/index.ts', 'kill-matrix': 'src/kill-matrix/index.ts' } },
  { ...base, entry: { vitest: 'src/vitest/index.ts' }, format: ['esm'], external: ['vitest'] },
  { ...base, entry: { 'explore-worker': 'src/explore/worker.ts' }, format: ['esm'], dts: false },
]);

import { defineConfig } from 'tsup';
import { baseTsupOptions } from '../../tsup.config.base.ts';

// The main entry, the kill matrix's `./kill-matrix` subpath and the explorer's
// worker-thread entry (ESM and CJS, no vitest; one build, so the ESM files share chunks:
// a worker runs the very code the main entry runs, so their replay tokens agree; the
// worker needs no types, only the pool loads it, by path), and the ESM-only vitest
// integration on the `./vitest` subpath, which keeps vitest external.
// The build script empties dist first: two configs cleaning in parallel would race.
// `shims` gives the CJS build `import.meta.url`, by which the pool finds the worker.
const base = { ...baseTsupOptions(), clean: false, shims: true };
export default defineConfig([
  {
    ...base,
    entry: { index: 'src/index.ts', 'kill-matrix': 'src/kill-matrix/index.ts', 'explore-worker': 'src/explore/worker.ts' },
    dts: { entry: { index: 'src/index.ts', 'kill-matrix': 'src/kill-matrix/index.ts' } },
  },
  { ...base, entry: { vitest: 'src/vitest/index.ts' }, format: ['esm'], external: ['vitest'] },
]);

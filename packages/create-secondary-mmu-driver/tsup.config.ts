import { defineConfig } from 'tsup';
import { baseTsupOptions } from '../../tsup.config.base.ts';

// ESM only: the library entry and the `create-secondary-mmu-driver` executable, one build so they share chunks.
export default defineConfig({ ...baseTsupOptions(), format: ['esm'], entry: { index: 'src/index.ts', bin: 'src/bin.ts' } });

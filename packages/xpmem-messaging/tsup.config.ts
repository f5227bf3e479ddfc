import { defineConfig } from 'tsup';
import { baseTsupOptions } from '../../tsup.config.base.ts';

// The main entry and the `./variants` subpath (the driver with one injected bug each),
// in one build so the ESM files share chunks.
export default defineConfig({ ...baseTsupOptions(), entry: { index: 'src/index.ts', variants: 'src/variants/index.ts' } });

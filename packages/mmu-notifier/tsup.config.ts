import { defineConfig } from 'tsup';
import { baseTsupOptions } from '../../tsup.config.base.ts';

// tsup resolves entry/tsconfig against the working directory (the package
// directory when run by npm or turbo); the model hash uses the same directory.
export default defineConfig(baseTsupOptions());

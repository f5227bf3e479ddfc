/*
 * `secondary-mmu` straight from the workspace's sources, for `npm start` on a fresh
 * clone: esbuild bundles the CLI and the packages it imports (their `src`, not their
 * `dist`) in about a second, without the type declarations that make a full build take
 * minutes, then runs it with this script's arguments. The model hash is core-mm's, as
 * its build defines it, so tokens printed here replay with the built CLI.
 *
 *   tsx packages/cli/scripts/start.ts compare [options]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { modelHash } from '../../../scripts/model-hash.ts';

const cli = fileURLToPath(new URL('..', import.meta.url));
const packages = path.dirname(cli);
const outfile = path.join(cli, 'node_modules', '.cache', 'start', 'bin.mjs');

/** `@secondary-mmu/<pkg>[/<sub>]` → `packages/<pkg>/src/[<sub>/]index.ts`; every other package stays an import. */
const workspaceSources: Plugin = {
  name: 'workspace-sources',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const m = /^@secondary-mmu\/([^/]+)(?:\/(.+))?$/.exec(args.path);
      if (m === null) return { external: true };
      const file = path.join(packages, m[1]!, 'src', ...(m[2] === undefined ? [] : [m[2]]), 'index.ts');
      if (!existsSync(file)) return { errors: [{ text: `no source for ${args.path} (looked for ${file})` }] };
      return { path: file };
    });
  },
};

await build({
  entryPoints: [path.join(cli, 'src', 'bin.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'error',
  define: { __SMMU_MODEL_HASH__: JSON.stringify(modelHash(path.join(packages, 'core-mm', 'src'))) },
  plugins: [workspaceSources],
});
// In this checkout the suggested commands run through `npm run cli --` (no bin before a build).
process.env.SECONDARY_MMU_COMMAND ??= 'npm run cli --';
await import(pathToFileURL(outfile).href);

// publint (strict) and Are the Types Wrong on the packed tarballs themselves: what
// they judge is exactly what `npm publish` uploads.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { run } from './release-pack.mjs';
import { repoRoot } from './release-workspaces.mjs';

const attwBin = path.join(repoRoot, 'node_modules', '.bin', 'attw');

/** publint --strict on one tarball: warnings count as errors, suggestions are printed. */
async function publintTarball(pkg, tarball) {
  const data = readFileSync(tarball);
  const { messages } = await publint({ strict: true, pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) } });
  const errors = messages.filter((m) => m.type !== 'suggestion');
  for (const m of messages) console.log(`  publint ${m.type}: ${formatMessage(m, pkg.pkg) ?? m.code}`);
  return errors.length;
}

/**
 * attw on one tarball. An entry with only an `import` condition is ESM only by design
 * (require(esm) is not what it promises), so attw skips it; the consumer check still
 * imports and typechecks it.
 */
function attwTarball(pkg, tarball) {
  const esmOnly = pkg.entries.filter((e) => !e.requirable).map((e) => e.subpath);
  const args = [tarball, '--format', 'table-flipped', '--no-emoji', '--no-color'];
  if (esmOnly.length > 0) args.push('--exclude-entrypoints', ...esmOnly);
  try {
    run(attwBin, args);
    return 0;
  } catch (error) {
    console.log(String(error.message));
    return 1;
  }
}

/** Lints every tarball; returns the names of the packages that failed. */
export async function lintTarballs(packages, tarballs) {
  const failed = [];
  for (const pkg of packages) {
    const { tarball } = tarballs.find((t) => t.name === pkg.name);
    const problems = (await publintTarball(pkg, tarball)) + attwTarball(pkg, tarball);
    console.log(`  ${pkg.name}: publint --strict and attw ${problems === 0 ? 'clean' : 'FAILED'}`);
    if (problems > 0) failed.push(pkg.name);
  }
  return failed;
}

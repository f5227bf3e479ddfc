import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Relative POSIX paths of every regular file under `dir`, recursively. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      out.push(...listFiles(path.join(dir, entry.name), rel));
    } else if (entry.isFile()) {
      out.push(rel);
    }
  }
  return out;
}

/**
 * Fingerprint of a package's model source: sha256 over every file under
 * `srcDir`, sorted by relative path (code-unit order, locale independent),
 * each file contributing `relativePath \0 contents \0`. Returns the first
 * 16 hex characters.
 *
 * Shared by tsup (build) and vitest (tests) so both inject the same
 * `__SMMU_MODEL_HASH__` define.
 */
export function modelHash(srcDir: string): string {
  const files = listFiles(srcDir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const rel of files) {
    hash.update(rel);
    hash.update('\0');
    hash.update(readFileSync(path.join(srcDir, rel)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

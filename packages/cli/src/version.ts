import { readFileSync } from 'node:fs';

/**
 * This package's version, read from its package.json (one folder up from `dist/` and
 * from `src/`), or `0.0.0` when it cannot be read. Kernel counterpart: none.
 */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The packages a generated driver depends on at run time. Kernel counterpart: none. */
export const RUNTIME_PACKAGES = ['@secondary-mmu/core-mm', '@secondary-mmu/mmu-notifier'] as const;

/** The packages a generated driver needs for its tests, typecheck and releases. Kernel counterpart: none. */
export const DEV_PACKAGES = ['@secondary-mmu/testkit', 'vitest', 'typescript', '@changesets/cli'] as const;

/**
 * The version range of each package a generated driver depends on: this package's own
 * devDependencies, the ones its templates are typechecked and tested against in the
 * SDK's repository. A release versions them with the SDK (changesets updates the
 * ranges of workspace dependencies), so nothing here can drift from the SDK.
 * Kernel counterpart: none.
 */
export function sdkVersions(): Readonly<Record<string, string>> {
  const manifest = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'package.json');
  const own = JSON.parse(readFileSync(manifest, 'utf8')) as { devDependencies?: Record<string, string> };
  const ranges: Record<string, string> = {};
  for (const name of [...RUNTIME_PACKAGES, ...DEV_PACKAGES]) {
    const range = own.devDependencies?.[name];
    if (range === undefined) throw new Error(`create-secondary-mmu-driver: its package.json has no devDependency on ${name}`);
    ranges[name] = range;
  }
  return ranges;
}

import { existsSync } from 'node:fs';

/** Where the Debian package `chromium` puts the browser; `CHROMIUM_PATH` overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The install line CI runs (and a developer may). */
export const CHROMIUM_INSTALL = 'apt-get install -y chromium';

/**
 * Whether the browser check runs: yes when Chromium is installed; when it is not, CI
 * (`CI=true`) fails the check rather than skip it, and elsewhere it is skipped with a note.
 */
export function browserCheck(): { readonly run: boolean; readonly missing: string | null } {
  if (existsSync(CHROMIUM)) return { run: true, missing: null };
  const missing = `no Chromium at ${CHROMIUM} (install it: ${CHROMIUM_INSTALL}, or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') return { run: true, missing };
  console.warn(`skipping the report's browser check: ${missing}`);
  return { run: false, missing };
}

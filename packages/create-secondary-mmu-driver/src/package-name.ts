import validate from 'validate-npm-package-name';
import { CreateError } from './errors.js';

/**
 * `name` if npm would publish a new package by it (lower case, no spaces, at most 214
 * characters, a valid scope...: validate-npm-package-name's rules for new packages),
 * else a {@link CreateError} (`invalid-name`) naming it and npm's reasons.
 * Kernel counterpart: none.
 */
export function checkPackageName(name: string): string {
  const result = validate(name);
  if (result.validForNewPackages) return name;
  const reasons = [...(result.errors ?? []), ...(result.warnings ?? [])];
  throw new CreateError('EINVAL', 'invalid-name', name, `invalid package name "${name}": ${reasons.join('; ')}`);
}

/** The default package name for a target directory: its last path segment. Kernel counterpart: none. */
export function nameFromDirectory(directory: string): string {
  return directory.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? directory;
}

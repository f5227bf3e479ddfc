import { isSmmuError } from '@secondary-mmu/core-mm';

/**
 * Bad input to a command: the CLI prints `message` on stderr and exits 2. `code` is
 * stable (documented in docs/cli.md), `value` the offending input as given. Kernel
 * counterpart: none (model machinery).
 */
export class CliError extends Error {
  /** A stable code: `unknown-scenario`, `unknown-driver`, `bad-token`... (see docs/cli.md). */
  readonly code: string;
  /** The offending value as the user gave it. */
  readonly value: string;

  constructor(code: string, value: string, message: string) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.value = value;
  }
}

/** True for a {@link CliError} (by name and code: no `instanceof` across entries). Kernel counterpart: none. */
export function isCliError(error: unknown): error is CliError {
  return error instanceof Error && error.name === 'CliError' && typeof (error as { code?: unknown }).code === 'string';
}

/**
 * True when `error` is bad input rather than a bug: a {@link CliError}, or one of the
 * SDK's `EINVAL` errors (a scenario that does not load, a bad option, a replay token
 * refused). Kernel counterpart: none.
 */
export function isBadInput(error: unknown): boolean {
  return isCliError(error) || isSmmuError(error, 'EINVAL');
}

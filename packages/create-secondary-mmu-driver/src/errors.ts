/** The stable problems {@link CreateError} reports. Kernel counterpart: none. */
export type CreateProblem = 'invalid-name' | 'unknown-template' | 'directory-not-empty' | 'not-a-directory' | 'missing-argument';

/**
 * Bad input to the create command: a bad package name, an unknown template, a target
 * that is not an empty directory, a value missing where no terminal can ask for it.
 * `code` is `EINVAL` (or `EEXIST` for a non-empty target), `problem` is stable and
 * `value` is the offending value; the command exits 2 with the message, having written
 * nothing. Kernel counterpart: none (model machinery).
 */
export class CreateError extends Error {
  override readonly name = 'CreateError';
  constructor(
    /** `EINVAL`, or `EEXIST` for a target directory that is not empty. */
    readonly code: 'EINVAL' | 'EEXIST',
    /** Which rule the value broke. */
    readonly problem: CreateProblem,
    /** The offending value, as given. */
    readonly value: string,
    message: string,
  ) {
    super(message);
  }
}

/** True for a {@link CreateError} (by its name and code, so a copy from another bundle counts too). Kernel counterpart: none. */
export function isCreateError(error: unknown): error is CreateError {
  return error instanceof Error && error.name === 'CreateError' && typeof (error as Partial<CreateError>).problem === 'string';
}

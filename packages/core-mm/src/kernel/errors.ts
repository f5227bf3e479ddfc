import { brandClass } from './util/brand.js';

/**
 * Stable error codes. The errno-like ones mirror Linux's answers; the others name
 * misuse of the model itself.
 *
 * - `EDEADLK`: a task would block where nothing else can run (outside a scheduler run).
 * - `EVIOLATION`: a checker fired under `strict: true`.
 * - `SIGSEGV`, `SIGBUS`: a CPU access the kernel would answer with that signal
 *   (no vma, no permission; a file page beyond the end of the file).
 */
export type ErrorCode =
  | 'EINVAL'
  | 'ENOMEM'
  | 'EFAULT'
  | 'EAGAIN'
  | 'EBUSY'
  | 'ENOENT'
  | 'EPERM'
  | 'EEXIST'
  | 'EOVERFLOW'
  | 'EDEADLK'
  | 'EVIOLATION'
  | 'SIGSEGV'
  | 'SIGBUS';

/**
 * The one error type the model throws. Match errors by `code` (see {@link isSmmuError}).
 * `instanceof SmmuError` (and of each subclass) is a brand check ({@link brandClass}),
 * so it agrees across an ESM and a CJS copy of the package.
 */
export class SmmuError extends Error {
  override readonly name = 'SmmuError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}
brandClass(SmmuError, '@secondary-mmu/core-mm:SmmuError');

/** True when `error` is a model error, optionally with the given code. */
export function isSmmuError(error: unknown, code?: ErrorCode): error is SmmuError {
  if (typeof error !== 'object' || error === null) return false;
  const c = (error as { code?: unknown }).code;
  if (typeof c !== 'string' || (error as { name?: unknown }).name !== 'SmmuError') return false;
  return code === undefined || c === code;
}

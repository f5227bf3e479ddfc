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

  /**
   * The error the model answers a simulated access with — a device TLB miss
   * (`EFAULT`), a CPU access's `SIGSEGV` or `SIGBUS`, a fault `hmm_range_fault`
   * gives up on — built without a JavaScript stack trace. Such answers are the normal
   * flow of a run (a driver retries on them), thrown on the hot path of every schedule
   * that reaches them: capturing a stack costs more than the rest of the access, and
   * says nothing the run's trace does not (the message names the task and address).
   * Misuse of the model (`EINVAL`) keeps `new SmmuError`, whose stack shows the
   * caller. Kernel counterpart: the errno or signal itself (`-EFAULT`, `force_sig`).
   */
  static answer(code: ErrorCode, message: string): SmmuError {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new SmmuError(code, message);
    } finally {
      Error.stackTraceLimit = limit;
    }
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

/** An issue found by the loader's cross-reference checks, its path still as keys. */
export interface RawIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

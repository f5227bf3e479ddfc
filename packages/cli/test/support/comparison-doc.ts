import type { CompareJson } from '../../src/index.js';
import { compareMarkdown } from '../../src/index.js';

/** docs/comparison.md, relative to this package. */
export const COMPARISON_DOC = new URL('../../../../docs/comparison.md', import.meta.url);

/** What made docs/comparison.md, as its first lines say. */
export const COMPARISON_DOC_COMMAND = 'npm run compare:docs -w @secondary-mmu/cli';

/** docs/comparison.md's text for the default comparison's `compare --json`. */
export function comparisonDoc(result: CompareJson): string {
  return compareMarkdown(result, COMPARISON_DOC_COMMAND);
}

/** Every CLI token in `text`, in order. */
export function tokensIn(text: string): string[] {
  return [...text.matchAll(/smcli1\.[A-Za-z0-9_-]+\.[0-9a-f]{8}/g)].map((m) => m[0]);
}

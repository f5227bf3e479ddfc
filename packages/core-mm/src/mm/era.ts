/**
 * The kernel a machine models. It decides where core-mm calls the secondary-MMU
 * port, what each caller holds there, and which rmap locks are spinlocks:
 *
 * - `rfc-2008`: the February 2008 series the seed thread belongs to, as documented
 *   (`invalidate_page`/`age_page` in the rmap walks, ranges with an `atomic` flag,
 *   the external-rmap hook for exported pages);
 * - `v2.6.27`: the API merged in 2.6.27 (callbacks under RCU: none may sleep;
 *   `release` after the notifier is unlisted);
 * - `v6`: Linux 6.1x (ranges with events, `blockable` and `-EAGAIN`, no
 *   `invalidate_page`, sleeping rmap locks).
 */
export type Era = 'rfc-2008' | 'v2.6.27' | 'v6';

/** Every era, oldest first. */
export const ERAS: readonly Era[] = ['rfc-2008', 'v2.6.27', 'v6'];

/** Whether `anon_vma->lock` and `i_mmap_lock` are spinlocks (before ≈2.6.39/3.0) rather than rwsems. */
export function rmapLocksSpin(era: Era): boolean {
  return era !== 'v6';
}

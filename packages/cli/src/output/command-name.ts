/**
 * How the user runs this CLI, for the commands it suggests (`Next:`, `replay …`):
 * `secondary-mmu` once installed; `npm run cli --` in the SDK's own checkout, where
 * `scripts/start.ts` sets `SECONDARY_MMU_COMMAND` (its bin exists only after a build).
 * Kernel counterpart: none.
 */
export function commandName(): string {
  return process.env.SECONDARY_MMU_COMMAND ?? 'secondary-mmu';
}

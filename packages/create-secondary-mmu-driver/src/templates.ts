import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateError } from './errors.js';

/**
 * The driver shapes `npm create secondary-mmu-driver` generates. Kernel counterparts:
 * `interval` — an `mmu_interval_notifier` mirror after `lib/test_hmm.c` (dmirror);
 * `classic` — `invalidate_range_start`/`end` with the `mmu_invalidate_seq` retry and
 * aging, after KVM's MMU; `shared-page-table` — an IOMMU SVA device flushed by
 * `arch_invalidate_secondary_tlbs`.
 */
export const TEMPLATE_NAMES = ['interval', 'classic', 'shared-page-table'] as const;

/** One of {@link TEMPLATE_NAMES}. Kernel counterpart: none. */
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** A one-line description of each template, shown by the prompt and `--help`. Kernel counterpart: none. */
export const TEMPLATE_DESCRIPTIONS: Readonly<Record<TemplateName, string>> = {
  interval: 'an interval-notifier mirror (like dmirror): v6',
  classic: 'a start/end mirror with the seq retry and aging (like KVM): every era',
  'shared-page-table': 'a device sharing the CPU page table, flushed by arch_invalidate_secondary_tlbs (SVA): v6',
};

/** The directory holding the template files: `templates/` beside `dist/` (or `src/`). Kernel counterpart: none. */
export function templatesDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'templates');
}

/** `value` as a {@link TemplateName}, or a {@link CreateError} (`unknown-template`) naming it and the choices. Kernel counterpart: none. */
export function parseTemplate(value: string): TemplateName {
  const found = TEMPLATE_NAMES.find((t) => t === value);
  if (found === undefined) throw new CreateError('EINVAL', 'unknown-template', value, `unknown template "${value}": choose one of ${TEMPLATE_NAMES.join(', ')}`);
  return found;
}

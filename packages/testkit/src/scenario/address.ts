import { SmmuError } from '@secondary-mmu/core-mm';

/** A scenario address: page `page` of the mapping named `mapping` (written `buf[2]`). */
export interface ScenarioAddress {
  readonly mapping: string;
  readonly page: number;
}

/** The form of an address: a mapping name, then a page index in brackets. */
export const ADDRESS_PATTERN = /^([A-Za-z_][\w.-]*)\[(\d+)\]$/;

/** Parse `buf[2]`; EINVAL naming the text when it is not of that form. */
export function parseAddress(text: string): ScenarioAddress {
  const m = ADDRESS_PATTERN.exec(text);
  if (m === null) throw new SmmuError('EINVAL', `"${text}" is not an address (expected mapping[page], e.g. buf[2])`);
  return { mapping: m[1]!, page: Number(m[2]) };
}

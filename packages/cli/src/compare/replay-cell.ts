import { CliError } from '../cli-error.js';
import { decodeRunToken } from '../token.js';
import { targetOfRecord } from '../token-target.js';
import { measureCell, type CompareCell } from './cell.js';
import { requiresUndeclared } from './plan.js';

/**
 * The comparison cell a CLI token stands for, measured again from its replay: the
 * token's scenario, driver, variant and era on the recorded schedule. What checks a
 * committed comparison: each of its tokens must give the cell it was printed with. A
 * token whose run no longer fits its choices is a `diverging-token` error. Kernel
 * counterpart: none.
 */
export async function replayCell(token: string, cwd?: string): Promise<CompareCell> {
  const record = decodeRunToken(token.trim());
  const target = await targetOfRecord(record, cwd);
  const cell = await measureCell(target, record.era, requiresUndeclared(target), undefined, record.token);
  const divergence = cell.violations.find((v) => v.kind === 'divergence');
  if (divergence !== undefined) throw new CliError('diverging-token', token, `the token no longer replays: ${divergence.message} (the driver, the scenario or the model changed since it was recorded)`);
  return cell;
}

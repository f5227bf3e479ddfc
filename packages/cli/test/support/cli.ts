import { fileURLToPath } from 'node:url';
import { main } from '../../src/program.js';
import { memoryIo } from '../../src/output/io.js';

/** The fixtures folder. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Run the program in this process with collected output: exit code, stdout, stderr. */
export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

import { relative } from 'node:path';
import { parseOverride } from '../config/overrides.js';
import { computeLock, describeLockChanges, formatLock, readLock, writeLock, type PipelineLock } from '../lock/pipeline-lock.js';

export interface LockCommandOptions {
  check?: boolean;
  set?: string[];
}

/**
 * `tinyforge lock <pipeline>`: writes `<pipeline dir>/tinyforge.lock`. With `--check` writes
 * nothing and exits 1 when the lock is missing or out of date (a CI guard).
 */
export async function lockCommand(target: string, options: LockCommandOptions): Promise<number> {
  const { lock, file } = await computeLock(target, { overrides: (options.set ?? []).map(parseOverride) });
  const text = formatLock(lock);
  const previousText = await readLock(file);
  const shown = relative(process.cwd(), file) || file;
  if (previousText === text) {
    process.stdout.write(`${shown} is up to date\n`);
    return 0;
  }
  let previous: PipelineLock | undefined;
  try {
    previous = previousText ? (JSON.parse(previousText) as PipelineLock) : undefined;
  } catch {
    previous = undefined;
  }
  const changes = describeLockChanges(previous, lock);
  if (options.check) {
    process.stderr.write(`${shown} is ${previousText === undefined ? 'missing' : 'out of date'}:\n${changes.map((c) => `  ${c}\n`).join('')}run \`tinyforge lock ${target}\` and commit it\n`);
    return 1;
  }
  await writeLock(file, lock);
  process.stdout.write(`wrote ${shown}\n${changes.map((c) => `  ${c}\n`).join('')}`);
  return 0;
}

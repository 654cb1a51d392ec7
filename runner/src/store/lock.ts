import { hostname } from 'node:os';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * A per-key lock between processes on one machine: a file created with O_EXCL holding the
 * owner's pid. A lock whose owner is dead (e.g. killed with -9) is stale and taken over at once,
 * without waiting for a timeout.
 */
export class LockManager {
  constructor(readonly dir: string) {}

  async acquire(key: string, signal?: AbortSignal): Promise<() => Promise<void>> {
    const path = join(this.dir, `${key}.lock`);
    const owner = JSON.stringify({ pid: process.pid, host: hostname() });
    let delay = 10;
    for (;;) {
      signal?.throwIfAborted();
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(owner);
        await handle.close();
        return async () => {
          await rm(path, { force: true });
        };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          await mkdir(dirname(path), { recursive: true });
          continue;
        }
        if (code !== 'EEXIST') throw error;
      }
      if (await isStale(path)) {
        await rm(path, { force: true });
        continue;
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 200);
    }
  }
}

async function isStale(path: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return false; // gone already: the next open decides
  }
  try {
    const { pid, host } = JSON.parse(text) as { pid: number; host: string };
    if (host !== hostname()) return false;
    return !isAlive(pid);
  } catch {
    // A lock file caught between create and write is empty; only call it stale if it stays so.
    await sleep(50);
    try {
      return (await readFile(path, 'utf8')).length === 0;
    } catch {
      return false;
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

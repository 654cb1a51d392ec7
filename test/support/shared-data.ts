import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './slice-project.js';

/** `../shared` beside the repo (developer machines and CI); a user's clone has none. */
export const SHARED_DIR = join(REPO_ROOT, '..', 'shared');

/**
 * Whether a shared dataset is there. Missing: tests skip with a printed reason — except under
 * CI=true, where missing data is a failure, never a silent skip.
 */
export function sharedAvailable(relative: string): boolean {
  const path = join(SHARED_DIR, relative);
  if (existsSync(path)) return true;
  if (process.env.CI === 'true') throw new Error(`CI: ${path} is missing; tests need ../shared beside the repo`);
  console.log(`skipping: ${path} is not available (it exists only beside the developers' checkout)`);
  return false;
}

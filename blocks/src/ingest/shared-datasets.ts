import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where tests find the real datasets: `<repo>/../shared/datasets` (override with
 * TINYFORGE_SHARED_DATASETS). Tests skip with a printed reason when it is absent, except under
 * CI=true, where a missing folder is a failure.
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const SHARED_DATASETS = process.env['TINYFORGE_SHARED_DATASETS'] ?? resolve(repoRoot, '../shared/datasets');

/** True when `dataset` (a folder under SHARED_DATASETS) exists; throws under CI when it does not. */
export function datasetAvailable(dataset: string): boolean {
  const dir = resolve(SHARED_DATASETS, dataset);
  if (existsSync(dir)) return true;
  if (process.env['CI'] === 'true') throw new Error(`CI=true but the shared dataset ${dir} is missing`);
  console.log(`skipping tests on ${dataset}: ${dir} not found`);
  return false;
}

export function datasetPath(dataset: string, ...parts: string[]): string {
  return resolve(SHARED_DATASETS, dataset, ...parts);
}

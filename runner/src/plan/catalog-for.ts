import { BlockCatalog } from './block-catalog.js';
import { checkDuplicateBlocks, discoverBlockPlugins } from './discover-plugins.js';

/** The block catalog a pipeline in `dir` sees: built-ins plus plugins installed around it. */
export function catalogFor(dir: string): BlockCatalog {
  const catalog = BlockCatalog.builtin(discoverBlockPlugins(dir));
  checkDuplicateBlocks(catalog.entries);
  return catalog;
}

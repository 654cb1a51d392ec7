export { diffRuns, formatRunDiff, type RunDiff, type BlockDiff, type RunLookups } from './run-diff.js';
export { loadRun, listRuns, type LoadedRun } from './load-run.js';
export { diffJson, numericLeaves, type LeafChange } from './json-diff.js';

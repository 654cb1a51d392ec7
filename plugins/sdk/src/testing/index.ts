/**
 * Test helpers for block authors: run one block on fixture samples, without a pipeline, a
 * cache or the runner. Framework-neutral (they throw on problems): use node:test, vitest, jest.
 */
export { makeSample, memorySampleSet, memorySampleWriter, memoryFileSet, memoryFileWriter, cloneSample, type MemorySampleWriter, type MemoryFileWriter } from './memory-artifacts.js';
export { parseBlockParams, runSampleBlock, runSourceBlock, runWholeBlock, assertClose, type RunSampleBlockOptions, type SampleBlockResult, type WholeBlockResult, type FixtureFile, type LogLine } from './run-block.js';
export { runTarget, memoryOutputDir, type TargetRunResult } from './run-target.js';

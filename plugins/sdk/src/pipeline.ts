import type { AnyBlock } from './block.js';

/**
 * A pipeline is a DAG of block instances, keyed by instance name. Inputs name the block
 * (and optionally the output) they read from: `'ingest'` or `'ingest.samples'`.
 */
export interface PipelineBlockConfig {
  /** `'<id>@<major>'`, e.g. `'dsp/mfcc@1'`, or a block object imported in the pipeline file. */
  block: string | AnyBlock;
  params?: Record<string, unknown>;
  inputs?: Record<string, string>;
  /** `never`: run on every `tinyforge run`, whatever the cache holds. */
  cache?: 'auto' | 'never';
  description?: string;
}

export interface PipelineConfig {
  name: string;
  /** The pipeline's own version (release history of generated libraries). */
  version?: string;
  description?: string;
  blocks: Record<string, PipelineBlockConfig>;
  /** Names of environment variables whose values enter every action key. */
  env?: string[];
}

/** Identity function that gives a pipeline file its types. Validation happens at load time. */
export function definePipeline<const T extends PipelineConfig>(config: T): T {
  return config;
}

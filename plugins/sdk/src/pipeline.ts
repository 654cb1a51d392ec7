import type { z } from 'zod';
import type { AnyBlock, ParamsSchema } from './block.js';

/**
 * Params types of the blocks a pipeline can name by string, keyed `'<id>@<major>'`. Empty here:
 * block packages add their blocks by declaration merging, next to the block definitions —
 *
 * ```ts
 * declare module '@tinyforge/sdk' {
 *   interface BlockRegistry { 'acme/denoise@1': BlockParamsInput<typeof denoise> }
 * }
 * ```
 *
 * A pipeline file sees an entry once the declaring package's types are part of the program
 * (`/// <reference types="@tinyforge/blocks" />`, or an import of the package).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-empty-object-type
export interface BlockRegistry {}

/** A block reference string the type system knows params for, e.g. `'dsp/mfcc@1'`. */
export type RegisteredBlockRef = Extract<keyof BlockRegistry, string>;

/** What a pipeline may write as `params` for a block object: the input side of its zod schema. */
export type BlockParamsInput<B> = B extends { params: infer P extends ParamsSchema } ? z.input<P> : Record<string, unknown>;

/**
 * A block reference: `'<id>@<major>'` (registered ids autocomplete; unknown ones are checked
 * when the pipeline is planned), a local path `./blocks/x`, or an imported block object.
 */
export type BlockRef = RegisteredBlockRef | (string & {}) | AnyBlock;

/** Params allowed for a reference: typed for registered ids and block objects, free otherwise. */
export type ParamsOf<R> = R extends RegisteredBlockRef ? BlockRegistry[R] : R extends string ? Record<string, unknown> : BlockParamsInput<R>;

interface BlockConfigBase {
  params?: Record<string, unknown>;
  inputs?: Record<string, string>;
  /** `never`: run on every `tinyforge run`, whatever the cache holds. */
  cache?: 'auto' | 'never';
  /** `fail` (default) lists every bad sample and fails; `skip` drops them and reports them. */
  onBadSample?: 'fail' | 'skip';
  description?: string;
}

/**
 * A pipeline is a DAG of block instances, keyed by instance name. Inputs name the block
 * (and optionally the output) they read from: `'ingest'` or `'ingest.samples'`.
 */
export interface PipelineBlockConfig extends BlockConfigBase {
  /** `'<id>@<major>'`, e.g. `'dsp/mfcc@1'`, a local path, or a block object imported in the pipeline file. */
  block: string | AnyBlock;
}

/** One block instance whose `params` are typed by its reference. */
export type TypedBlockConfig<R> = Omit<BlockConfigBase, 'params'> & { block: R; params?: ParamsOf<R> };

export interface PipelineConfig {
  name: string;
  /** The pipeline's own version (release history of generated libraries). */
  version?: string;
  description?: string;
  blocks: Record<string, PipelineBlockConfig>;
  /** Names of environment variables whose values enter every action key. */
  env?: string[];
  /** Deployments, run after the blocks: name → target id (e.g. `cpp`) and its params. */
  deploy?: Record<string, { target: string; model?: string; params?: Record<string, unknown>; out?: string }>;
}

/** A pipeline whose blocks' params are typed by their references. */
export type TypedPipelineConfig<R extends Record<string, BlockRef>> = Omit<PipelineConfig, 'blocks'> & {
  blocks: { [K in keyof R]: TypedBlockConfig<R[K]> };
};

/**
 * Identity function that gives a pipeline file its types: params of registered block ids
 * (see BlockRegistry) and of imported block objects are checked by `tsc` and the editor.
 * Validation of everything happens again at load time.
 */
export function definePipeline<const R extends Record<string, BlockRef>>(config: TypedPipelineConfig<R>): TypedPipelineConfig<R> {
  return config;
}

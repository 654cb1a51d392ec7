/** tinyforge runner: load, plan and run pipelines programmatically (the CLI is a thin shell over this). */
export { definePipeline, defineBlock, TinyforgeError } from '@tinyforge/sdk';
export type { PipelineConfig, PipelineBlockConfig } from '@tinyforge/sdk';
export { loadPipeline, resolvePipelineFile, type LoadedPipeline } from './config/load-pipeline.js';
export { parseOverride, type ParamOverride } from './config/overrides.js';
export { pipelineSchema, pipelineJsonSchema } from './config/pipeline-schema.js';
export { planPipeline, type Plan, type PlannedBlock } from './plan/plan-pipeline.js';
export { BlockCatalog, type CatalogEntry } from './plan/block-catalog.js';
export { catalogFor } from './plan/catalog-for.js';
export { discoverBlockPlugins } from './plan/discover-plugins.js';
export { runPipeline, type RunManifest, type RunOptions, RUNNER_VERSION } from './exec/run-pipeline.js';
export { explainStatus, type BlockStatusReport } from './exec/explain-status.js';
export { findStateRoot, openStore } from './store/open-store.js';
export { encodeSample, decodeSample } from './artifacts/sample-codec.js';
export { main } from './cli/main.js';

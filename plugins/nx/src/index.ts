/**
 * @tinyforge/nx — an Nx inference plugin. Every `pipelines/<name>/pipeline.{ts,json,yaml,yml}`
 * becomes an Nx project `<name>` with `run`, `test` and `deploy` targets (nx:run-commands over
 * the tinyforge CLI). Two cache layers: Nx decides which pipelines are affected and skips
 * unchanged ones; tinyforge's own cache decides which blocks inside a pipeline re-run.
 *
 * nx.json: `{ "plugins": [{ "plugin": "@tinyforge/nx", "options": { … } }] }`
 */
export { createNodes, createNodesV2, PIPELINE_GLOB, pipelineProject, type TinyforgeNxOptions } from './create-nodes.js';

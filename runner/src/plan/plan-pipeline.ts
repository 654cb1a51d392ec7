import { TinyforgeError, TinyforgeErrors, type AnyBlock, type ArtifactKind } from '@tinyforge/sdk';
import type { LoadedPipeline } from '../config/load-pipeline.js';
import { dirname, resolve } from 'node:path';
import { BLOCK_REF_PATTERN, LOCAL_BLOCK_PATTERN, type ValidBlockConfig } from '../config/pipeline-schema.js';
import { loadLocalBlock } from './local-block.js';
import { zodIssuesToErrors } from '../config/zod-issues.js';
import type { BlockCatalog } from './block-catalog.js';
import { checkLoadedBlock, editDistance } from './block-catalog.js';

export interface PlannedInput {
  /** Block instance it reads from. */
  from: string;
  output: string;
  kind: ArtifactKind;
}

export interface PlannedBlock {
  name: string;
  block: AnyBlock;
  moduleUrl?: string;
  source: string;
  /**
   * The user's own code this block runs (a local block's file or folder, or the pipeline file
   * for a block defined inline). Its content enters the cache key: local code changes without
   * version bumps while it is being written. Packaged blocks are keyed by id@version alone.
   */
  code?: string;
  /** Params after zod parsing: defaults filled in. */
  params: unknown;
  inputs: Record<string, PlannedInput>;
  cache: 'auto' | 'never';
  onBadSample: 'fail' | 'skip';
}

export interface Plan {
  pipeline: LoadedPipeline;
  /** Blocks in a topological order (every block after the blocks it reads). */
  blocks: PlannedBlock[];
}

/**
 * Turns a validated config into a runnable plan: resolves every block, checks its params,
 * wires inputs to outputs with matching artifact kinds and rejects cycles. Reports every
 * problem found, not just the first, before anything runs.
 */
export async function planPipeline(pipeline: LoadedPipeline, catalog: BlockCatalog): Promise<Plan> {
  const { config, file } = pipeline;
  const errors: TinyforgeError[] = [];
  const resolved = new Map<string, { block: AnyBlock; moduleUrl?: string; source: string; code?: string; cfg: ValidBlockConfig }>();

  for (const [name, cfg] of Object.entries(config.blocks)) {
    try {
      const found = await resolveBlock(cfg.block, catalog, file, name);
      // Container blocks get their run() and image identity from runner/src/docker (loaded only then).
      if (found.block.runtime) found.block = (await import('../docker/container-block.js')).runnableContainerBlock(found.block as never);
      resolved.set(name, { ...found, cfg });
    } catch (error) {
      if (error instanceof TinyforgeError) errors.push(error);
      else throw error;
    }
  }

  const planned = new Map<string, PlannedBlock>();
  for (const [name, { block, moduleUrl, source, code, cfg }] of resolved) {
    errors.push(...unknownParams(block, cfg.params ?? {}, file, name));
    const parsed = block.params.safeParse(cfg.params ?? {}, { reportInput: true });
    let params: unknown;
    if (!parsed.success) {
      errors.push(...zodIssuesToErrors(parsed.error.issues, cfg.params ?? {}, { code: 'PARAMS_INVALID', file, block: name, pathPrefix: 'params' }));
    } else {
      params = parsed.data;
      for (const problem of block.checkParams?.(params) ?? []) {
        errors.push(new TinyforgeError({ code: 'PARAMS_INVALID', file, block: name, path: `params.${problem.path}`, message: problem.message }));
      }
    }
    const entry: PlannedBlock = { name, block, source, params, inputs: {}, cache: cfg.cache ?? block.cache ?? 'auto', onBadSample: cfg.onBadSample ?? 'fail' };
    if (moduleUrl) entry.moduleUrl = moduleUrl;
    if (code) entry.code = code;
    planned.set(name, entry);
  }

  for (const [name, { block, cfg }] of resolved) {
    const entry = planned.get(name)!;
    const wired = cfg.inputs ?? {};
    for (const inputName of Object.keys(wired)) {
      if (!(inputName in block.inputs)) {
        errors.push(new TinyforgeError({ code: 'ARTIFACT_KIND', file, block: name, path: `inputs.${inputName}`, message: `${block.id} has no input "${inputName}"`, expected: Object.keys(block.inputs).join(', ') || 'no inputs' }));
      }
    }
    for (const [inputName, kind] of Object.entries(block.inputs) as [string, ArtifactKind][]) {
      const ref = wired[inputName];
      if (ref === undefined) {
        errors.push(new TinyforgeError({ code: 'ARTIFACT_KIND', file, block: name, path: `inputs.${inputName}`, message: `input "${inputName}" (${kind}) is not connected`, hint: `add inputs: { ${inputName}: '<block name>' }` }));
        continue;
      }
      const [fromName, outputName] = ref.split('.') as [string, string | undefined];
      const from = resolved.get(fromName);
      if (!from) {
        if (!(fromName in config.blocks)) {
          errors.push(new TinyforgeError({ code: 'CONFIG_INVALID', file, block: name, path: `inputs.${inputName}`, message: `reads from "${fromName}", which is not a block of this pipeline`, expected: Object.keys(config.blocks).filter((n) => n !== name).join(', ') }));
        }
        continue;
      }
      const outputs = Object.entries(from.block.outputs) as [string, ArtifactKind][];
      const output = outputName ? outputs.find(([o]) => o === outputName) : outputs.length === 1 ? outputs[0] : undefined;
      if (!output) {
        errors.push(new TinyforgeError({ code: 'ARTIFACT_KIND', file, block: name, path: `inputs.${inputName}`, message: outputName ? `block "${fromName}" has no output "${outputName}"` : `block "${fromName}" has several outputs; name one as "${fromName}.<output>"`, expected: outputs.map(([o]) => o).join(', ') }));
        continue;
      }
      if (output[1] !== kind) {
        errors.push(new TinyforgeError({ code: 'ARTIFACT_KIND', file, block: name, path: `inputs.${inputName}`, message: `input "${inputName}" of ${block.id} needs ${kind} artifacts, but "${fromName}" (${from.block.id}) produces ${output[1]}`, expected: kind, found: output[1] }));
        continue;
      }
      entry.inputs[inputName] = { from: fromName, output: output[0], kind };
    }
  }

  const order = topologicalOrder(planned, file, errors);
  if (errors.length > 0) throw errors.length === 1 ? errors[0]! : new TinyforgeErrors(errors);
  return { pipeline, blocks: order.map((n) => planned.get(n)!) };
}

/**
 * zod objects drop unknown keys silently; a misspelt param must not be silently ignored, so
 * params not in the block's schema are errors (with the closest known name).
 */
function unknownParams(block: AnyBlock, params: Record<string, unknown>, file: string, name: string): TinyforgeError[] {
  const shape = (block.params as { shape?: Record<string, unknown> }).shape;
  if (!shape || typeof shape !== 'object') return [];
  const known = Object.keys(shape);
  return Object.keys(params)
    .filter((key) => !known.includes(key))
    .map((key) => {
      const close = known.filter((k) => similar(k, key));
      return new TinyforgeError({ code: 'PARAMS_INVALID', file, block: name, path: `params.${key}`, message: `${block.id} has no param "${key}"`, hint: close.length ? `did you mean "${close[0]}"?` : `params: ${known.join(', ')}` });
    });
}

function similar(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  return norm(a) === norm(b) || editDistance(a, b) <= Math.max(1, Math.floor(Math.min(a.length, b.length) / 3));
}

async function resolveBlock(ref: string | AnyBlock, catalog: BlockCatalog, file: string, name: string): Promise<{ block: AnyBlock; moduleUrl?: string; source: string; code?: string }> {
  if (typeof ref !== 'string') {
    checkLoadedBlock(ref, file);
    return { block: ref, source: file, code: file };
  }
  if (LOCAL_BLOCK_PATTERN.test(ref)) {
    const path = resolve(dirname(file), ref);
    const local = await loadLocalBlock(path, file, name);
    checkLoadedBlock(local.block, local.source);
    return { ...local, code: path };
  }
  const match = BLOCK_REF_PATTERN.exec(ref)!;
  const id = match[1]!;
  const major = Number(match[2]);
  const entry = catalog.find(id, major);
  if (!entry) {
    const versions = catalog.entries.filter((e) => e.id === id).map((e) => e.version);
    const suggestions = catalog.suggest(id);
    throw new TinyforgeError({
      code: 'UNKNOWN_BLOCK',
      file,
      block: name,
      path: 'block',
      message: versions.length > 0 ? `block ${id} has no major version ${major}` : `unknown block "${id}"`,
      found: ref,
      expected: versions.length > 0 ? `one of ${versions.map((v) => `${id}@${v.split('.')[0]}`).join(', ')}` : undefined,
      hint: versions.length === 0 ? (suggestions.length > 0 ? `did you mean ${suggestions.join(', ')}? (tinyforge blocks list)` : 'tinyforge blocks list shows the installed blocks') : undefined,
    });
  }
  const block = await catalog.load(entry);
  return { block, moduleUrl: entry.moduleUrl, source: entry.source };
}

/** Kahn's algorithm, ties broken by config order so the plan is stable. Reports a cycle by its path. */
function topologicalOrder(blocks: Map<string, PlannedBlock>, file: string, errors: TinyforgeError[]): string[] {
  const names = [...blocks.keys()];
  const deps = new Map(names.map((n) => [n, new Set(Object.values(blocks.get(n)!.inputs).map((i) => i.from))]));
  const order: string[] = [];
  const done = new Set<string>();
  while (order.length < names.length) {
    const next = names.find((n) => !done.has(n) && [...deps.get(n)!].every((d) => done.has(d)));
    if (!next) break;
    order.push(next);
    done.add(next);
  }
  if (order.length < names.length) {
    const remaining = names.filter((n) => !done.has(n));
    errors.push(new TinyforgeError({ code: 'CYCLE', file, message: `blocks form a cycle: ${findCycle(remaining, deps).join(' → ')}` }));
  }
  return order;
}

function findCycle(remaining: string[], deps: Map<string, Set<string>>): string[] {
  const start = remaining[0]!;
  const path: string[] = [start];
  const seen = new Set([start]);
  let cur = start;
  for (;;) {
    const next = [...deps.get(cur)!].find((d) => remaining.includes(d))!;
    if (seen.has(next)) return [...path.slice(path.indexOf(next)), next];
    path.push(next);
    seen.add(next);
    cur = next;
  }
}

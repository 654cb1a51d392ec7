import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { TinyforgeError, TinyforgeErrors } from '@tinyforge/sdk';
import { pipelineSchema, type ValidPipelineConfig } from './pipeline-schema.js';
import { zodIssuesToErrors } from './zod-issues.js';
import { applyOverrides, type ParamOverride } from './overrides.js';

export const PIPELINE_FILE_NAMES = ['pipeline.ts', 'pipeline.mts', 'pipeline.js', 'pipeline.mjs', 'pipeline.json', 'pipeline.yaml', 'pipeline.yml'];

export interface LoadedPipeline {
  config: ValidPipelineConfig;
  /** Absolute path of the pipeline file. */
  file: string;
  /** Directory relative params resolve against. */
  dir: string;
}

/** Finds the pipeline file of a folder, or accepts a file path. */
export function resolvePipelineFile(target: string): string {
  const abs = resolve(target);
  if (!existsSync(abs)) throw new TinyforgeError({ code: 'CONFIG_LOAD', file: target, message: 'no such pipeline file or folder' });
  if (statSync(abs).isFile()) return abs;
  for (const name of PIPELINE_FILE_NAMES) {
    const candidate = join(abs, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new TinyforgeError({ code: 'CONFIG_LOAD', file: target, message: `no pipeline file in this folder (looked for ${PIPELINE_FILE_NAMES.join(', ')})` });
}

/** Loads, overrides (`--set`) and validates a pipeline. Every schema problem is reported at once. */
export async function loadPipeline(target: string, overrides: readonly ParamOverride[] = []): Promise<LoadedPipeline> {
  const file = resolvePipelineFile(target);
  const raw = await readRawConfig(file);
  const overridden = applyOverrides(raw, overrides, file);
  const parsed = pipelineSchema.safeParse(overridden, { reportInput: true });
  if (!parsed.success) {
    const errors = zodIssuesToErrors(parsed.error.issues, overridden, { code: 'CONFIG_INVALID', file }).map((e) => withBlock(e, overridden));
    throw errors.length === 1 ? errors[0]! : new TinyforgeErrors(errors);
  }
  return { config: parsed.data, file, dir: dirname(file) };
}

/** Names the block of a `blocks.<name>.…` path so messages read `block "mfcc": params…`. */
function withBlock(error: TinyforgeError, _raw: unknown): TinyforgeError {
  const match = /^blocks\.([^.[]+)(?:\.(.*))?$/.exec(error.path ?? '');
  if (!match) return error;
  return new TinyforgeError({
    code: error.code,
    file: error.file,
    block: match[1],
    path: match[2],
    message: error.message,
    expected: error.expected,
    found: error.found,
  });
}

async function readRawConfig(file: string): Promise<unknown> {
  const ext = extname(file).toLowerCase();
  if (ext === '.json' || ext === '.yaml' || ext === '.yml') {
    const text = await readFile(file, 'utf8');
    try {
      // yaml is loaded only for YAML pipelines: start-up time matters for cached runs.
      return ext === '.json' ? JSON.parse(text) : (await import('yaml')).parse(text);
    } catch (error) {
      const linePos = (error as { linePos?: [{ line: number }] }).linePos;
      const where = linePos ? ` at line ${linePos[0].line}` : '';
      throw new TinyforgeError({ code: 'CONFIG_LOAD', file, message: `cannot parse${where}: ${(error as Error).message.split('\n')[0]}` });
    }
  }
  return importModuleConfig(file);
}

async function importModuleConfig(file: string): Promise<unknown> {
  const { createJiti } = await import('jiti');
  const jiti = createJiti(import.meta.url, { interopDefault: true, moduleCache: false, fsCache: true });
  let mod: unknown;
  try {
    mod = await jiti.import(file, { default: true });
  } catch (error) {
    if (error instanceof TinyforgeError) throw error;
    throw new TinyforgeError({ code: 'CONFIG_LOAD', file, message: `cannot load: ${(error as Error).message.split('\n')[0]}`, cause: error });
  }
  if (mod === undefined || mod === null) {
    throw new TinyforgeError({ code: 'CONFIG_LOAD', file, message: 'the file has no default export; export default definePipeline({...})' });
  }
  return mod;
}

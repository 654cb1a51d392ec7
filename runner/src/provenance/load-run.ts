import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { TinyforgeError } from '@tinyforge/sdk';
import type { RunManifest } from '../exec/run-pipeline.js';

export interface LoadedRun {
  id: string;
  file: string;
  manifest: RunManifest;
}

/**
 * A run manifest by path, by id (its file name in `.tinyforge/runs`, `.json` optional, or a
 * unique prefix or suffix of it), or `last` / `last~N` (N runs before the newest; with a
 * pipeline name, among that pipeline's runs).
 */
export async function loadRun(ref: string, runsDir: string, pipeline?: string): Promise<LoadedRun> {
  const asPath = resolve(ref);
  if (ref.endsWith('.json') && existsSync(asPath)) return read(asPath);
  const ids = await listRuns(runsDir, pipeline);
  const last = /^last(?:~(\d+))?$/.exec(ref);
  if (last) {
    const back = Number(last[1] ?? 0);
    const id = ids[ids.length - 1 - back];
    if (!id) throw new TinyforgeError({ code: 'USAGE', message: `there are ${ids.length} run(s)${pipeline ? ` of pipeline "${pipeline}"` : ''} in ${runsDir}; ${ref} does not exist` });
    return read(join(runsDir, `${id}.json`));
  }
  const wanted = ref.replace(/\.json$/, '');
  const matches = ids.filter((id) => id === wanted || id.startsWith(wanted) || id.endsWith(wanted));
  if (matches.length === 1) return read(join(runsDir, `${matches[0]}.json`));
  throw new TinyforgeError({
    code: 'USAGE',
    message: matches.length === 0 ? `no run manifest "${ref}" (not a file, not an id in ${runsDir})` : `"${ref}" matches ${matches.length} runs: ${matches.slice(0, 5).join(', ')}${matches.length > 5 ? ', …' : ''}`,
    hint: 'give a run manifest path, an id from .tinyforge/runs, or last / last~1',
  });
}

/** Run ids oldest first (file names start with an ISO timestamp). */
export async function listRuns(runsDir: string, pipeline?: string): Promise<string[]> {
  let files: string[];
  try {
    files = await readdir(runsDir);
  } catch {
    return [];
  }
  return files
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .filter((id) => !pipeline || new RegExp(`-${escapeRegExp(pipeline)}-\\d+$`).test(id))
    .sort();
}

async function read(file: string): Promise<LoadedRun> {
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(await readFile(file, 'utf8')) as RunManifest;
  } catch (error) {
    throw new TinyforgeError({ code: 'BAD_INPUT', file, message: `not a readable run manifest: ${(error as Error).message}` });
  }
  if (!Array.isArray(manifest?.blocks) || typeof manifest.pipeline !== 'string') throw new TinyforgeError({ code: 'BAD_INPUT', file, message: 'not a run manifest (no pipeline or blocks)' });
  return { id: basename(file, '.json'), file, manifest };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Sample } from '@tinyforge/sdk';

/**
 * Test fixtures: the real per-sample blocks called directly (params parsed by the block's own
 * schema, `prepare` once, `runSample`/`readSource` per unit), as the runner would, minus the store.
 */
interface RunnableSampleBlock {
  params: { parse(v: unknown): unknown };
  prepare?: (params: never, env: { pipelineDir: string }) => unknown;
  runSample?: (sample: Sample, ctx: never) => Sample | Sample[] | null | Promise<Sample | Sample[] | null>;
}

interface RunnableSourceBlock {
  params: { parse(v: unknown): unknown };
  prepare?: (params: never, env: { pipelineDir: string }) => unknown;
  sources: (params: never) => { root: string; extensions?: readonly string[] };
  readSource: (file: { path: string; relPath: string; digest: string; size: number }, content: Buffer, ctx: never) => Sample[] | Promise<Sample[]>;
}

/** Runs a per-sample block over `samples`; returns every output sample in order. */
export async function runSampleBlock(block: RunnableSampleBlock, rawParams: object, samples: readonly Sample[], pipelineDir = '/'): Promise<Sample[]> {
  const params = block.params.parse(rawParams);
  const state = block.prepare ? block.prepare(params as never, { pipelineDir }) : undefined;
  const ctx = { params, state, pipelineDir } as never;
  const out: Sample[] = [];
  for (const s of samples) {
    const r = await block.runSample!(s, ctx);
    if (r === null) continue;
    if (Array.isArray(r)) out.push(...r);
    else out.push(r);
  }
  return out;
}

/**
 * Runs an ingest block over the files its `sources` names (sorted relative paths). `include`
 * narrows them, standing in for a data folder that holds nothing else.
 */
export async function runSourceBlock(block: RunnableSourceBlock, rawParams: object, opts: { pipelineDir?: string; include?: (relPath: string) => boolean } = {}): Promise<Sample[]> {
  const pipelineDir = opts.pipelineDir ?? '/';
  const params = block.params.parse(rawParams);
  const spec = block.sources(params as never);
  const root = join(pipelineDir, spec.root);
  const exts = spec.extensions?.map((e) => e.toLowerCase());
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!exts || exts.some((x) => e.name.toLowerCase().endsWith(x))) files.push(p);
    }
  };
  walk(root);
  files.sort();
  const state = block.prepare ? block.prepare(params as never, { pipelineDir }) : undefined;
  const ctx = { params, state, pipelineDir } as never;
  const out: Sample[] = [];
  for (const path of files) {
    const content = readFileSync(path);
    const relPath = relative(root, path).split('\\').join('/');
    if (opts.include && !opts.include(relPath)) continue;
    out.push(...(await block.readSource({ path, relPath, digest: '', size: statSync(path).size }, content, ctx)));
  }
  return out;
}

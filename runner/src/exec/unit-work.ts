import { readFileSync } from 'node:fs';
import { TinyforgeError, isTinyforgeError, type AnyBlock, type Sample, type SampleContext, type SampleRef, type SourceFile, type ErrorCode } from '@tinyforge/sdk';
import { ArtifactStore } from '../artifacts/artifact-store.js';

/** One unit of per-sample work: an input sample (by digest) or a source file of an ingest block. */
export type WorkUnit = { kind: 'sample'; digest: string; id: string } | { kind: 'source'; file: SourceFile };

export interface SerializedError {
  code: ErrorCode;
  message: string;
  file?: string;
  path?: string;
  stack?: string;
}

export type UnitOutcome = { ok: true; refs: SampleRef[] } | { ok: false; error: SerializedError };

/** Runs a block's per-sample function on one unit and stores what it returns. */
export async function computeUnit(block: AnyBlock, ctx: SampleContext<never, unknown>, unit: WorkUnit, store: ArtifactStore): Promise<UnitOutcome> {
  try {
    let produced: Sample | Sample[] | null;
    if (unit.kind === 'source') {
      if (block.granularity !== 'sample' || !block.sources) throw new Error('not a source block');
      const content = readFileSync(unit.file.path); // sync: see store/cas.ts
      produced = await block.readSource(unit.file, content, ctx as never);
    } else {
      if (block.granularity !== 'sample' || !block.runSample) throw new Error('not a per-sample block');
      const input = await store.readSample({ id: unit.id, label: null, category: 'train', digest: unit.digest });
      produced = await block.runSample(input, ctx as never);
    }
    const samples = produced === null ? [] : Array.isArray(produced) ? produced : [produced];
    const refs: SampleRef[] = [];
    for (const sample of samples) {
      checkSample(sample, block);
      refs.push(await store.putSample(sample));
    }
    return { ok: true, refs };
  } catch (error) {
    return { ok: false, error: serializeError(error, unit) };
  }
}

function checkSample(sample: Sample, block: AnyBlock): void {
  if (!sample || typeof sample.id !== 'string' || !(sample.values instanceof Float32Array)) {
    throw new Error(`${block.id} returned a sample without an id or Float32Array values`);
  }
}

export function serializeError(error: unknown, unit?: WorkUnit): SerializedError {
  const where = unit ? (unit.kind === 'source' ? unit.file.relPath : `sample ${unit.id}`) : undefined;
  if (isTinyforgeError(error)) {
    const e = error as TinyforgeError;
    const out: SerializedError = { code: e.code, message: e.message };
    const file = e.file ?? (unit?.kind === 'source' ? unit.file.path : undefined);
    if (file) out.file = file;
    else if (where) out.message = `${where}: ${e.message}`;
    if (e.path) out.path = e.path;
    return out;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  const out: SerializedError = { code: 'BLOCK_FAILED', message: where ? `${where}: ${err.message}` : err.message };
  if (err.stack) out.stack = err.stack;
  return out;
}

export function deserializeError(e: SerializedError, block?: string): TinyforgeError {
  const error = new TinyforgeError({ code: e.code, message: e.message, file: e.file, path: e.path, block });
  if (e.stack) error.stack = e.stack;
  return error;
}

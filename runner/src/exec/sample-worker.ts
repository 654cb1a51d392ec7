import type { AnyBlock, SampleContext } from '@tinyforge/sdk';
import { ArtifactStore } from '../artifacts/artifact-store.js';
import { ContentStore } from '../store/cas.js';
import { computeUnit, serializeError, type UnitOutcome, type WorkUnit } from './unit-work.js';

/** A batch of units of one block configuration, run in a worker thread. */
export interface UnitBatch {
  moduleUrl: string;
  /** Base key of the block config: prepared state is memoised on it. */
  baseKey: string;
  params: unknown;
  pipelineDir: string;
  casDir: string;
  units: WorkUnit[];
}

const blocks = new Map<string, Promise<AnyBlock>>();
const prepared = new Map<string, unknown>();

async function loadBlock(moduleUrl: string): Promise<AnyBlock> {
  let pending = blocks.get(moduleUrl);
  if (!pending) {
    pending = import(moduleUrl).then((m: { default: AnyBlock }) => m.default);
    blocks.set(moduleUrl, pending);
  }
  return pending;
}

export default async function runBatch(batch: UnitBatch): Promise<UnitOutcome[]> {
  let block: AnyBlock;
  try {
    block = await loadBlock(batch.moduleUrl);
  } catch (error) {
    const failure = serializeError(error);
    return batch.units.map(() => ({ ok: false, error: failure }));
  }
  if (!prepared.has(batch.baseKey)) {
    prepared.set(batch.baseKey, block.granularity === 'sample' && block.prepare ? block.prepare(batch.params, { pipelineDir: batch.pipelineDir }) : undefined);
  }
  const ctx: SampleContext<never, unknown> = { params: batch.params as never, state: prepared.get(batch.baseKey), pipelineDir: batch.pipelineDir };
  const store = new ArtifactStore(new ContentStore(batch.casDir));
  const out: UnitOutcome[] = [];
  for (const unit of batch.units) out.push(await computeUnit(block, ctx, unit, store));
  return out;
}

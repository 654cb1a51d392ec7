import type { JsonObject, JsonValue } from '@tinyforge/sdk';
import { hashRecord } from '../util/hash.js';
import type { PlannedBlock } from '../plan/plan-pipeline.js';

/** Bump when the layout of key records changes: every old entry then misses, none is misread. */
export const KEY_FORMAT = 1;

/**
 * What a block's result depends on besides its inputs: block id@version, params after defaults
 * (minus location params, whose content is hashed instead), output names, declared env and, for
 * the user's own (local or inline) blocks, the digest of their code.
 * Its hash (the base key) also names the per-sample unit index.
 */
export function baseRecord(block: PlannedBlock, env: Record<string, string>, shared: Record<string, string> = {}, identity?: JsonValue, code?: string): JsonObject {
  const params = { ...(block.params as Record<string, unknown>) };
  for (const p of block.block.locationParams ?? []) delete params[p];
  const record: JsonObject = {
    keyFormat: KEY_FORMAT,
    block: `${block.block.id}@${block.block.version}`,
    params: JSON.parse(JSON.stringify(params)) as JsonObject,
    outputs: Object.keys(block.block.outputs).sort(),
    env,
  };
  if (Object.keys(shared).length > 0) record.sharedFiles = shared;
  if (identity !== undefined) record.identity = identity;
  if (code !== undefined) record.code = code;
  return record;
}

/** The full action record: the base plus the content digest of every input. */
export function actionRecord(base: JsonObject, inputs: Record<string, string>): JsonObject {
  return { ...base, inputs };
}

export function keyOf(record: JsonObject): string {
  return hashRecord(record);
}

/** Key of one unit of per-sample work: the base key plus that unit's content. */
export function unitKey(baseKey: string, unitDigest: string): string {
  return hashRecord({ base: baseKey, unit: unitDigest });
}

/** Values of the env vars a pipeline declares; unset ones are recorded as unset, not skipped. */
export function declaredEnv(names: readonly string[] | undefined, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...(names ?? [])].sort()) out[name] = env[name] ?? '\u0000unset';
  return out;
}

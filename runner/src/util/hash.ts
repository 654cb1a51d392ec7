import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** sha256 hex digest of bytes or a UTF-8 string. */
export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of the canonical JSON of a record: the one way keys are made. */
export function hashRecord(record: unknown): string {
  return sha256(canonicalJson(record));
}

export const DIGEST_PATTERN = /^[0-9a-f]{64}$/;

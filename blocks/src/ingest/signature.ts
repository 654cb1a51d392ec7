import { createHmac, timingSafeEqual } from 'node:crypto';
import { badInput } from '@tinyforge/sdk';

/**
 * Edge Impulse data-acquisition signatures: the document is serialised with `signature` set to
 * 64 '0' characters, HMAC-SHA256 is computed over those bytes, and the hex digest is written
 * over the zeros in place. Verifying in place (on the raw bytes we were given) works for any
 * JSON or CBOR encoder, so we never re-serialise.
 */
export const EMPTY_SIGNATURE = '0'.repeat(64);

export type DocumentFormat = 'json' | 'cbor';

export function hmacSha256Hex(key: Uint8Array | string, bytes: Uint8Array): string {
  return createHmac('sha256', key).update(bytes).digest('hex');
}

/** Bytes that precede the 64 signature characters in each encoding (CBOR: text string, length 64). */
const CBOR_TEXT64 = [0x78, 0x40];
const JSON_KEY_BEFORE = /"signature"\s*:\s*"$/;

/** Offset of the 64 signature characters inside `raw`; throws when absent or ambiguous. */
export function locateSignature(raw: Uint8Array, signature: string, format: DocumentFormat, file: string): number {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const needle = Buffer.from(signature, 'latin1');
  const found: number[] = [];
  for (let at = buf.indexOf(needle); at >= 0; at = buf.indexOf(needle, at + 1)) {
    if (format === 'cbor') {
      if (at >= 2 && buf[at - 2] === CBOR_TEXT64[0] && buf[at - 1] === CBOR_TEXT64[1]) found.push(at);
    } else {
      const before = buf.toString('latin1', Math.max(0, at - 64), at);
      if (JSON_KEY_BEFORE.test(before) && buf[at + needle.length] === 0x22) found.push(at);
    }
  }
  if (found.length !== 1) {
    throw badInput(file, found.length === 0 ? 'cannot find the signature bytes in the document' : 'the signature appears more than once in the document');
  }
  return found[0]!;
}

/** Recomputes the HMAC over `raw` with the signature zeroed and compares (constant time). */
export function signatureMatches(raw: Uint8Array, signature: string, format: DocumentFormat, key: Uint8Array | string, file: string): boolean {
  if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const at = locateSignature(raw, signature, format, file);
  const zeroed = Buffer.from(raw);
  zeroed.write(EMPTY_SIGNATURE, at, 'latin1');
  const expected = Buffer.from(hmacSha256Hex(key, zeroed), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}

/**
 * Signs an encoded document that carries `EMPTY_SIGNATURE`: returns a copy with the HMAC written
 * in place. Used by tests and by `tinyforge test add` to write signed test cases.
 */
export function signEncodedDocument(encoded: Uint8Array, format: DocumentFormat, key: Uint8Array | string): Uint8Array {
  const at = locateSignature(encoded, EMPTY_SIGNATURE, format, '<document>');
  const signed = Buffer.from(encoded);
  signed.write(hmacSha256Hex(key, encoded), at, 'latin1');
  return signed;
}

/** How a block treats document signatures. */
export interface SignaturePolicy {
  /** HMAC key; undefined when none is configured. */
  key?: Uint8Array | string | undefined;
  /** Where the key would come from, for messages (e.g. `env TINYFORGE_HMAC_KEY`). */
  keySource?: string;
  /** Accept `alg: "none"` documents. */
  allowUnsigned: boolean;
}

/** Applies the policy to one document; throws a BAD_INPUT error naming the file. */
export function checkSignature(raw: Uint8Array, alg: unknown, signature: unknown, format: DocumentFormat, policy: SignaturePolicy, file: string): void {
  if (alg === 'none') {
    if (!policy.allowUnsigned) throw badInput(file, 'document is unsigned (alg "none")', { hint: 'set signatures.allowUnsigned: true to accept unsigned documents' });
    return;
  }
  if (alg !== 'HS256') throw badInput(file, `unsupported signature algorithm ${JSON.stringify(alg)}`, { expected: 'HS256 or none' });
  if (typeof signature !== 'string') throw badInput(file, 'signed document has no signature string');
  if (policy.key === undefined || policy.key.length === 0) {
    throw badInput(file, 'document is signed (HS256) but no HMAC key is configured', { hint: `provide the key via ${policy.keySource ?? 'signatures.keyEnv or signatures.keyFile'}` });
  }
  if (!signatureMatches(raw, signature, format, policy.key, file)) {
    throw badInput(file, 'bad signature: HMAC-SHA256 does not match the document (wrong key or modified file)');
  }
}

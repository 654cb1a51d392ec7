import { badInput } from '@tinyforge/sdk';
import { Decoder } from 'cbor-x';
import type { Recording } from './recording.js';
import { checkSignature, type DocumentFormat, type SignaturePolicy } from '../signature.js';

/** An Edge Impulse data-acquisition document (JSON or CBOR), after validation. */
export interface DataAcquisitionDocument {
  protected: { ver: string; alg: string; iat?: number };
  signature: string;
  payload: {
    device_name?: string;
    device_type?: string;
    interval_ms: number;
    sensors: { name: string; units: string }[];
    /** One frame per entry: a number (one sensor) or one number per sensor. */
    values: ArrayLike<number | ArrayLike<number>>;
  };
}

// Records/structures are a cbor-x extension; plain CBOR from devices never uses them.
const cborDecoder = new Decoder({ mapsAsObjects: true, useRecords: false });

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof Map);
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/** Decodes the bytes (no validation yet). */
export function decodeDocument(bytes: Uint8Array, format: DocumentFormat, file: string): unknown {
  if (bytes.length === 0) throw badInput(file, 'empty file');
  try {
    if (format === 'cbor') return cborDecoder.decode(bytes);
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw badInput(file, `not valid ${format.toUpperCase()}: ${reason.slice(0, 200)}`);
  }
}

/** Checks the structure; throws a BAD_INPUT error saying which field is wrong. */
export function validateDocument(doc: unknown, file: string): DataAcquisitionDocument {
  const notDoc = (why: string) => badInput(file, `not an Edge Impulse data-acquisition document: ${why}`);
  if (!isPlainObject(doc)) throw notDoc('top level is not an object');
  const prot = doc['protected'];
  if (!isPlainObject(prot)) throw notDoc('missing "protected" object');
  if (typeof prot['alg'] !== 'string') throw notDoc('"protected.alg" is not a string');
  if (typeof doc['signature'] !== 'string') throw notDoc('"signature" is not a string');
  const payload = doc['payload'];
  if (!isPlainObject(payload)) throw notDoc('missing "payload" object');
  const interval = payload['interval_ms'];
  if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 0) throw notDoc('"payload.interval_ms" is not a number ≥ 0');
  const sensors = payload['sensors'];
  if (!Array.isArray(sensors) || sensors.length === 0) throw notDoc('"payload.sensors" is not a non-empty array');
  sensors.forEach((s, i) => {
    if (!isPlainObject(s) || typeof s['name'] !== 'string' || typeof s['units'] !== 'string') {
      throw notDoc(`"payload.sensors[${i}]" needs string "name" and "units"`);
    }
  });
  const values = payload['values'];
  if (!isArrayLike(values) || values.length === 0) throw notDoc('"payload.values" is not a non-empty array');
  for (const field of ['device_name', 'device_type'] as const) {
    if (payload[field] !== undefined && typeof payload[field] !== 'string') throw notDoc(`"payload.${field}" is not a string`);
  }
  return doc as unknown as DataAcquisitionDocument;
}

/** Flattens the payload into an interleaved Recording, checking every frame. */
export function documentToRecording(doc: DataAcquisitionDocument, file: string): Recording {
  const { payload } = doc;
  const axes = payload.sensors.length;
  const frames = payload.values.length;
  const values = new Float32Array(frames * axes);
  for (let f = 0; f < frames; f++) {
    const frame = payload.values[f];
    if (typeof frame === 'number' && axes === 1) {
      values[f] = frame;
    } else if (isArrayLike(frame) && frame.length === axes) {
      for (let a = 0; a < axes; a++) {
        const v = frame[a];
        if (typeof v !== 'number') throw badInput(file, `payload.values[${f}][${a}] is not a number`);
        values[f * axes + a] = v;
      }
    } else {
      throw badInput(file, `payload.values[${f}] should hold ${axes} number(s), one per sensor`);
    }
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw badInput(file, `payload.values[${Math.floor(i / axes)}] holds a non-finite number`);
  }
  if (!(payload.interval_ms > 0) && frames > 1) throw badInput(file, 'payload.interval_ms is 0 for a multi-frame signal');
  const meta: Record<string, string> = { alg: doc.protected.alg };
  if (payload.device_name !== undefined) meta['deviceName'] = payload.device_name;
  if (payload.device_type !== undefined) meta['deviceType'] = payload.device_type;
  return {
    sensors: payload.sensors.map((s) => ({ name: s.name, units: s.units })),
    intervalMs: payload.interval_ms,
    values,
    shape: [frames, axes],
    meta,
  };
}

/** Decodes, validates, checks the signature per policy and converts one document. */
export function readDataAcquisition(bytes: Uint8Array, file: string, format: DocumentFormat, policy: SignaturePolicy): Recording {
  const doc = validateDocument(decodeDocument(bytes, format, file), file);
  checkSignature(bytes, doc.protected.alg, doc.signature, format, policy, file);
  return documentToRecording(doc, file);
}

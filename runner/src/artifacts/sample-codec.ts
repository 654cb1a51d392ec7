import type { Sample } from '@tinyforge/sdk';
import { canonicalJson } from '../util/canonical-json.js';

/**
 * The stored form of one sample: `TFS1`, u32 header length, canonical JSON header, zero padding
 * to 4 bytes, then the values as float32 little-endian. Canonical by construction (unlike
 * general CBOR encoders), so equal samples always make equal bytes and equal digests; and the
 * values decode as a Float32Array view without parsing.
 */
const MAGIC = 0x31534654; // 'TFS1' read as u32 LE

export function encodeSample(sample: Sample): Uint8Array {
  const header = canonicalJson({
    id: sample.id,
    label: sample.label,
    category: sample.category,
    sensors: sample.sensors,
    intervalMs: sample.intervalMs,
    shape: sample.shape,
    meta: sample.meta,
    count: sample.values.length,
  });
  const headerBytes = Buffer.from(header, 'utf8');
  const valuesOffset = align4(8 + headerBytes.length);
  const out = new Uint8Array(valuesOffset + sample.values.length * 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  const values = new Float32Array(out.buffer, valuesOffset, sample.values.length);
  values.set(sample.values);
  return out;
}

export function decodeSample(bytes: Uint8Array): Sample {
  if (bytes.length < 8) throw new Error('sample blob too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error('not a tinyforge sample blob');
  const headerLength = view.getUint32(4, true);
  const header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, headerLength).toString('utf8')) as Omit<Sample, 'values'> & { count: number };
  const valuesOffset = align4(8 + headerLength);
  const start = bytes.byteOffset + valuesOffset;
  if (valuesOffset + header.count * 4 > bytes.length) throw new Error('sample blob truncated');
  // A Float32Array view needs 4-byte alignment in its buffer; copy when the Buffer pool put us off it.
  const values = start % 4 === 0
    ? new Float32Array(bytes.buffer, start, header.count)
    : new Float32Array(bytes.slice(valuesOffset, valuesOffset + header.count * 4).buffer);
  const sample: Sample = {
    id: header.id,
    label: header.label,
    category: header.category,
    sensors: header.sensors,
    intervalMs: header.intervalMs,
    values,
  };
  if (header.shape) sample.shape = header.shape;
  if (header.meta) sample.meta = header.meta;
  return sample;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTinyforgeError } from '@tinyforge/sdk';
import { EMPTY_SIGNATURE, signEncodedDocument } from '../signature.js';
import { readCsv } from './csv.js';
import { readDataAcquisition } from './data-acquisition.js';
import { encodeWav, readWav } from './wav.js';

/**
 * No input may make a reader throw anything but a BAD_INPUT TinyforgeError naming the file, or
 * take long (a crafted length field must not turn into a huge loop or allocation).
 */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 400);
const SLOW_MS = 1000;

function accepts(read: (bytes: Uint8Array) => unknown, bytes: Uint8Array): void {
  const t0 = performance.now();
  try {
    read(bytes);
  } catch (err) {
    if (!isTinyforgeError(err) || (err as { code: string }).code !== 'BAD_INPUT' || (err as { file?: string }).file !== 'fuzz') {
      throw new Error(`reader threw a non-typed error: ${String(err)}`);
    }
  }
  expect(performance.now() - t0).toBeLessThan(SLOW_MS);
}

/** Random edits of a valid file: byte flips, insertions, deletions and truncation. */
function mutations(seed: Uint8Array) {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), value: fc.constant(0) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), value: fc.constant(0) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 8 }).map((edits) => {
    let bytes = Array.from(seed);
    for (const e of edits) {
      const at = bytes.length === 0 ? 0 : e.at % bytes.length;
      if (e.kind === 'set') bytes[at] = e.value;
      else if (e.kind === 'insert') bytes.splice(at, 0, e.value);
      else if (e.kind === 'delete') bytes.splice(at, 1);
      else bytes = bytes.slice(0, at);
    }
    return new Uint8Array(bytes);
  });
}

/** Overwrites 4 bytes with a large or boundary 32-bit value: the classic length-field attack. */
function lengthAttacks(seed: Uint8Array) {
  return fc.tuple(fc.nat(), fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 65535)).map(([at, v]) => {
    const bytes = seed.slice();
    const i = at % Math.max(1, bytes.length - 4);
    new DataView(bytes.buffer).setUint32(i, v, true);
    return bytes;
  });
}

describe('fuzz: WAV reader', () => {
  const seeds = [
    encodeWav(new Float32Array([0.1, -0.2, 0.3, -0.4, 0.5, -0.6]), { sampleRate: 16000, channels: 2, bits: 16 }),
    encodeWav(new Float32Array([0.1, -0.2, 0.3]), { sampleRate: 8000, channels: 1, bits: 24 }),
    encodeWav(new Float32Array([0.1, -0.2, 0.3, 0.9]), { sampleRate: 8000, channels: 1, bits: 32, float: true }),
  ];
  const read = (b: Uint8Array) => readWav(b, 'fuzz');
  it('random bytes', () => fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (b) => accepts(read, b)), { numRuns: RUNS }));
  it('random bytes after a RIFF/WAVE prefix', () => {
    const prefix = seeds[0]!.slice(0, 12);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 128 }), (b) => accepts(read, new Uint8Array([...prefix, ...b]))), { numRuns: RUNS });
  });
  for (const [i, seed] of seeds.entries()) {
    it(`mutations of valid file ${i}`, () => fc.assert(fc.property(mutations(seed), (b) => accepts(read, b)), { numRuns: RUNS }));
    it(`length-field attacks on valid file ${i}`, () => fc.assert(fc.property(lengthAttacks(seed), (b) => accepts(read, b)), { numRuns: RUNS }));
  }
});

describe('fuzz: CSV reader', () => {
  const read = (b: Uint8Array) => readCsv(b, 'fuzz', { intervalMs: 10 });
  const csvChars = fc.constantFrom(...'0123456789.,-+e\n\r" abtimesx_'.split(''));
  it('random CSV-alphabet text', () =>
    fc.assert(fc.property(fc.array(csvChars, { maxLength: 200 }), (chars) => accepts(read, new Uint8Array(Buffer.from(chars.join(''))))), { numRuns: RUNS }));
  it('random bytes', () => fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (b) => accepts(read, b)), { numRuns: RUNS }));
  it('mutations of a valid file', () => {
    const seed = new Uint8Array(Buffer.from('timestamp,x,y,z\n0,1.5,2,3\n10,-1,0.25,4e-3\n20,7,8,9\n'));
    fc.assert(fc.property(mutations(seed), (b) => accepts(read, b)), { numRuns: RUNS });
  });
  it('label and group columns with random rows', () => {
    const row = fc.tuple(fc.constantFrom('a', 'b', ''), fc.constantFrom('1', '2', 'x'), fc.double({ noNaN: false }), fc.double());
    fc.assert(fc.property(fc.array(row, { maxLength: 30 }), (rows) => {
      const text = 'label,g,v,w\n' + rows.map((r) => r.join(',')).join('\n');
      accepts((b) => readCsv(b, 'fuzz', { intervalMs: 1, labelColumn: 'label', groupColumns: ['g'] }), new Uint8Array(Buffer.from(text)));
    }), { numRuns: RUNS });
  });
});

describe('fuzz: data-acquisition reader (CBOR and JSON)', () => {
  const doc = {
    protected: { ver: 'v1', alg: 'HS256', iat: 1 },
    signature: EMPTY_SIGNATURE,
    payload: { device_type: 'T', interval_ms: 10, sensors: [{ name: 'a', units: 'g' }, { name: 'b', units: 'g' }], values: [[1, 2], [3, 4.5], [-1, 0]] },
  };
  const key = 'fuzz-key';
  const cborSeed = signEncodedDocument(new Encoder({ useRecords: false }).encode(doc), 'cbor', key);
  const jsonSeed = signEncodedDocument(Buffer.from(JSON.stringify(doc)), 'json', key);
  const policies = [{ key, allowUnsigned: false }, { allowUnsigned: true }];
  for (const policy of policies) {
    const label = policy.key ? 'with key' : 'unsigned allowed';
    const readCbor = (b: Uint8Array) => readDataAcquisition(b, 'fuzz', 'cbor', policy);
    const readJson = (b: Uint8Array) => readDataAcquisition(b, 'fuzz', 'json', policy);
    it(`CBOR garbage (${label})`, () => fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (b) => accepts(readCbor, b)), { numRuns: RUNS }));
    it(`CBOR mutations of a signed document (${label})`, () => fc.assert(fc.property(mutations(cborSeed), (b) => accepts(readCbor, b)), { numRuns: RUNS }));
    it(`CBOR length attacks (${label})`, () => fc.assert(fc.property(lengthAttacks(cborSeed), (b) => accepts(readCbor, b)), { numRuns: RUNS }));
    it(`JSON mutations of a signed document (${label})`, () => fc.assert(fc.property(mutations(jsonSeed), (b) => accepts(readJson, b)), { numRuns: RUNS }));
    it(`arbitrary JSON values (${label})`, () =>
      fc.assert(fc.property(fc.jsonValue(), (v) => accepts(readJson, new Uint8Array(Buffer.from(JSON.stringify(v) ?? 'null')))), { numRuns: RUNS }));
  }
  it('CBOR-encoded arbitrary values', () => {
    const enc = new Encoder({ useRecords: false });
    fc.assert(fc.property(fc.anything(), (v) => {
      let bytes: Uint8Array;
      try { bytes = enc.encode(v); } catch { return; }
      accepts((b) => readDataAcquisition(b, 'fuzz', 'cbor', { allowUnsigned: true }), bytes);
    }), { numRuns: RUNS });
  });
});

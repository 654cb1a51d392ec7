import { Encoder } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import { isTinyforgeError } from '@tinyforge/sdk';
import { EMPTY_SIGNATURE, hmacSha256Hex, signEncodedDocument } from '../signature.js';
import { readDataAcquisition } from './data-acquisition.js';

const KEY = 'f3b1c0ffee-test-hmac-key';

function makeDocument(alg: 'HS256' | 'none') {
  return {
    protected: { ver: 'v1', alg, iat: 1564128599 },
    signature: EMPTY_SIGNATURE,
    payload: {
      device_name: 'ac:87:a3:0a:2d:1b',
      device_type: 'DISCO-L475VG-IOT01A',
      interval_ms: 10,
      sensors: [{ name: 'accX', units: 'm/s2' }, { name: 'accY', units: 'm/s2' }, { name: 'accZ', units: 'm/s2' }],
      values: [[-9.81, 0.03, 1.21], [-9.83, 0.04, 1.27], [-9.12, 0.03, 1.23]],
    },
  };
}

const cbor = new Encoder({ useRecords: false });
const encode = {
  json: (doc: unknown) => new Uint8Array(Buffer.from(JSON.stringify(doc))),
  cbor: (doc: unknown) => new Uint8Array(cbor.encode(doc)),
};

function reason(fn: () => unknown): { file: string; message: string } {
  try {
    fn();
  } catch (err) {
    expect(isTinyforgeError(err)).toBe(true);
    expect((err as { code: string }).code).toBe('BAD_INPUT');
    return err as { file: string; message: string };
  }
  throw new Error('expected a BAD_INPUT error');
}

for (const format of ['json', 'cbor'] as const) {
  describe(`signed ${format.toUpperCase()} documents`, () => {
    const signed = signEncodedDocument(encode[format](makeDocument('HS256')), format, KEY);
    const policy = { key: KEY, allowUnsigned: false };

    it('verify with the right key and decode the values', () => {
      const rec = readDataAcquisition(signed, `wave.01.${format}`, format, policy);
      expect(rec.intervalMs).toBe(10);
      expect(rec.shape).toEqual([3, 3]);
      expect(rec.sensors.map((s) => s.name)).toEqual(['accX', 'accY', 'accZ']);
      expect(rec.values[0]).toBeCloseTo(-9.81, 5);
      expect(rec.values[5]).toBeCloseTo(1.27, 5);
      expect(rec.meta).toMatchObject({ alg: 'HS256', deviceType: 'DISCO-L475VG-IOT01A' });
    });

    it('the signature is the Edge Impulse HMAC over the zero-signature encoding', () => {
      const text = Buffer.from(signed);
      const zeroed = encode[format](makeDocument('HS256'));
      expect(text.includes(Buffer.from(hmacSha256Hex(KEY, zeroed)))).toBe(true);
    });

    it('fail with the file name when one payload byte changes', () => {
      const tampered = Buffer.from(signed);
      // change a digit inside the values: still a valid document, different bytes
      const at = format === 'json' ? tampered.indexOf('9.83') + 2 : tampered.length - 3;
      tampered[at] = tampered[at]! ^ 0x01;
      const e = reason(() => readDataAcquisition(tampered, `sensor.${format}`, format, policy));
      expect(e.file).toBe(`sensor.${format}`);
      expect(e.message).toMatch(/bad signature/);
    });

    it('fail with the wrong key, and without any key', () => {
      expect(reason(() => readDataAcquisition(signed, 'x', format, { key: 'other', allowUnsigned: false })).message).toMatch(/bad signature/);
      expect(reason(() => readDataAcquisition(signed, 'x', format, { allowUnsigned: false, keySource: 'env K' })).message).toMatch(/no HMAC key/);
    });

    it('accept alg "none" only when allowed', () => {
      const unsigned = encode[format](makeDocument('none'));
      expect(reason(() => readDataAcquisition(unsigned, 'u', format, policy)).message).toMatch(/unsigned/);
      expect(readDataAcquisition(unsigned, 'u', format, { allowUnsigned: true }).shape).toEqual([3, 3]);
    });
  });
}

describe('documents that are not data-acquisition documents', () => {
  const open = { allowUnsigned: true };
  const bad = (doc: unknown, re: RegExp) => expect(reason(() => readDataAcquisition(encode.json(doc), 'd.json', 'json', open)).message).toMatch(re);
  it('name what is wrong', () => {
    bad([1, 2, 3], /top level is not an object/);
    bad({ hello: 'world' }, /missing "protected"/);
    const doc = makeDocument('none');
    bad({ ...doc, payload: { ...doc.payload, sensors: [] } }, /payload.sensors/);
    bad({ ...doc, payload: { ...doc.payload, interval_ms: 'fast' } }, /interval_ms/);
    bad({ ...doc, payload: { ...doc.payload, values: [[1, 2]] } }, /values\[0\] should hold 3/);
    bad({ ...doc, payload: { ...doc.payload, values: [[1, 2, 'x']] } }, /values\[0\]\[2\] is not a number/);
    expect(reason(() => readDataAcquisition(new Uint8Array(Buffer.from('{"protected":')), 'e.json', 'json', open)).message).toMatch(/not valid JSON/);
    expect(reason(() => readDataAcquisition(new Uint8Array([0xff, 0x00, 0x13]), 'g.cbor', 'cbor', open)).file).toBe('g.cbor');
    expect(reason(() => readDataAcquisition(new Uint8Array(0), 'z.cbor', 'cbor', open)).message).toMatch(/empty/);
  });

  it('reads single-sensor documents with flat values (audio)', () => {
    const doc = { ...makeDocument('none'), payload: { interval_ms: 0.0625, sensors: [{ name: 'audio', units: 'wav' }], values: [1, -2, 300] } };
    const rec = readDataAcquisition(encode.cbor(doc), 'a.cbor', 'cbor', open);
    expect([...rec.values]).toEqual([1, -2, 300]);
    expect(rec.shape).toEqual([3, 1]);
  });
});

import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { canonicalJson } from '../util/canonical-json.js';
import { hashRecord } from '../util/hash.js';
import { actionRecord, baseRecord, keyOf, unitKey } from './action-key.js';
import type { PlannedBlock } from '../plan/plan-pipeline.js';

const planned = (over: Partial<{ version: string; params: unknown; locationParams: string[] }> = {}): PlannedBlock =>
  ({
    name: 'mfcc',
    block: { id: 'dsp/mfcc', version: over.version ?? '1.2.0', outputs: { features: 'features' }, locationParams: over.locationParams },
    params: over.params ?? { num_filters: 32, frame_length: 0.02 },
    inputs: {},
    cache: 'auto',
    onBadSample: 'fail',
    source: 'test',
  }) as unknown as PlannedBlock;

const key = (block: PlannedBlock, inputs = { samples: 'a'.repeat(64) }, env: Record<string, string> = {}) => keyOf(actionRecord(baseRecord(block, env), inputs));

describe('canonical JSON', () => {
  test('sorts keys at every depth, drops undefined, writes -0 as 0', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: -0 }], c: 'é' } })).toBe('{"a":{"c":"é","d":[1,{"x":0,"z":1}]},"b":1}');
  });
  test('refuses values JSON cannot say', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite number at \$\.a/);
    expect(() => canonicalJson({ a: new Float32Array(2) })).toThrow(/typed array/);
  });
});

describe('action keys', () => {
  test('insertion order of params does not change the key', () => {
    expect(key(planned({ params: { a: 1, b: 2 } }))).toBe(key(planned({ params: { b: 2, a: 1 } })));
  });

  test('every param, version, input, env change gives a different key', () => {
    const reference = key(planned());
    const variants = [
      key(planned({ params: { num_filters: 33, frame_length: 0.02 } })),
      key(planned({ params: { num_filters: 32, frame_length: 0.025 } })),
      key(planned({ version: '1.2.1' })),
      key(planned(), { samples: 'b'.repeat(64) }),
      key(planned(), { samples: 'a'.repeat(64) }, { SEED: '1' }),
    ];
    expect(new Set([reference, ...variants]).size).toBe(variants.length + 1);
  });

  test('location params stay out of the key, so a checkout elsewhere hits the cache', () => {
    const here = planned({ params: { directory: '/home/a/data', rate: 1 }, locationParams: ['directory'] });
    const there = planned({ params: { directory: '/ci/work/data', rate: 1 }, locationParams: ['directory'] });
    expect(key(here)).toBe(key(there));
  });

  test('per-sample unit keys depend on the base key and the unit', () => {
    expect(unitKey('a'.repeat(64), 'b'.repeat(64))).not.toBe(unitKey('a'.repeat(64), 'c'.repeat(64)));
    expect(unitKey('a'.repeat(64), 'b'.repeat(64))).not.toBe(unitKey('d'.repeat(64), 'b'.repeat(64)));
  });

  test('the same record hashes to the same key in another process (and pinned value: the format is stable)', () => {
    const record = { keyFormat: 1, block: 'dsp/mfcc@1.2.0', params: { z: [1, 2.5, 'x'], a: null }, inputs: { samples: 'f'.repeat(64) } };
    const script = `import('${new URL('../../dist/util/hash.js', import.meta.url).href}').then(m => process.stdout.write(m.hashRecord(${JSON.stringify(record)})))`;
    const other = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(other).toBe(hashRecord(record));
    // Pinned (computed independently with Python's json+hashlib): if this changes, every user's cache silently misses. Bump KEY_FORMAT instead.
    expect(hashRecord(record)).toBe('887d719d2dc55d5396c4eb5d6001e5969ed2288a326ab9526e4a85eca39591be');
  });
});

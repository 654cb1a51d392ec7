import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { defineBlock } from '@tinyforge/sdk';
import { builtinBlocks, loadRegisteredBlock } from '@tinyforge/blocks';
import { missingEmitC } from './check-emit-c.js';

const base = { version: '1.0.0', apiVersion: 1, params: z.object({}), inputs: { samples: 'dataset' }, granularity: 'sample', runSample: (s: never) => s } as const;

describe('missingEmitC', () => {
  test('names DSP blocks without emitC; other kinds and blocks with emitC pass', () => {
    const plain = defineBlock({ ...base, id: 'acme/plain', kind: 'dsp', outputs: { features: 'features' } });
    const withC = defineBlock({ ...base, id: 'acme/c', kind: 'dsp', outputs: { features: 'features' }, emitC: () => ({ prefix: 'c', sources: {}, header: '', inputSize: 1, outputSize: 1, ramBytes: 0, entry: 'c_run' }) });
    const transform = defineBlock({ ...base, id: 'acme/t', kind: 'transform', outputs: { samples: 'dataset' } });
    const errors = missingEmitC([
      { name: 'feat', block: plain, source: 'tinyforge-block-plain@1.0.0' },
      { name: 'featC', block: withC, source: 'x' },
      { name: 'pre', block: transform, source: 'y' },
    ], 'pipeline.ts');
    expect(errors.map((e) => e.format())).toEqual([
      'pipeline.ts: block "feat": acme/plain@1.0.0 (tinyforge-block-plain@1.0.0) has no C implementation (emitC), so it cannot run on a device\n  hint: deploy needs every DSP block to ship emitC; see docs/plugins.md',
    ]);
  });

  test('the built-in MFCC block ships emitC through the SDK field', async () => {
    const mfcc = await loadRegisteredBlock(builtinBlocks.find((b) => b.id === 'dsp/mfcc')!);
    expect(missingEmitC([{ name: 'mfcc', block: mfcc, source: '@tinyforge/blocks' }])).toEqual([]);
  });
});

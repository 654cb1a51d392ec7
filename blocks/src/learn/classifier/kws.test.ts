import { describe, expect, it } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import block from './index.js';
import { classifierParams } from './params.js';
import { fakeContext, memoryWriter, sampleReader } from '../testing/fake-context.js';
import { KWS_DIR, kwsAvailable, loadKwsSamples } from '../testing/kws-fixture.js';

// Acceptance: Speech Commands yes/no/_unknown_/_silence_, test split by speaker, EI-default MFCC.
const available = kwsAvailable();
if (!available) {
  if (process.env.CI === 'true') throw new Error(`KWS acceptance data missing under CI: ${KWS_DIR}`);
  console.log(`skipping KWS acceptance: ${KWS_DIR} is absent`);
}

describe.skipIf(!available)('KWS acceptance (shared Speech Commands subset)', () => {
  it('int8 test accuracy ≥ 90 % and float→int8 drop ≤ 1 point', { timeout: 300_000 }, async () => {
    // Two augmented copies (time shift ±100 ms + background noise) of every train clip.
    const samples: Sample[] = loadKwsSamples({ augment: 2 }).map((s) => ({
      id: s.id,
      label: s.label,
      category: s.category,
      sensors: [],
      intervalMs: 0,
      values: s.values,
      shape: s.shape,
      meta: { speaker: s.speaker },
    }));
    // EI's 1-D conv audio network with doubled filter counts (16, 32).
    const params = classifierParams.parse({
      layers: [
        { type: 'reshape', shape: [-1, 13] },
        { type: 'conv1d', filters: 16, kernelSize: 3, activation: 'relu' },
        { type: 'maxPool1d', poolSize: 2, padding: 'same' },
        { type: 'dropout', rate: 0.25 },
        { type: 'conv1d', filters: 32, kernelSize: 3, activation: 'relu' },
        { type: 'maxPool1d', poolSize: 2, padding: 'same' },
        { type: 'dropout', rate: 0.25 },
        { type: 'flatten' },
        { type: 'dense', activation: 'softmax' },
      ],
      epochs: 30,
      batchSize: 32,
      learningRate: 0.005,
      validationSplit: 0,
      seed: 1,
    });
    const out = memoryWriter();
    const f = fakeContext(params, sampleReader(samples), out);
    const t0 = performance.now();
    await block.run(f.ctx as never);
    const seconds = (performance.now() - t0) / 1000;
    const m = out.json('metrics.json') as { counts: Record<string, number>; float32: { test: { accuracy: number; confusion: number[][] } }; int8: { test: { accuracy: number; confusion: number[][] } } };
    const fl = m.float32.test.accuracy * 100;
    const q8 = m.int8.test.accuracy * 100;
    console.log(`KWS: train ${m.counts['train']} (with augmentation), test ${m.counts['test']}; float32 ${fl.toFixed(2)} %, int8 ${q8.toFixed(2)} %, drop ${(fl - q8).toFixed(2)} pt; block run ${seconds.toFixed(1)} s`);
    console.log(`KWS int8 confusion (rows actual _silence_/_unknown_/no/yes): ${JSON.stringify(m.int8.test.confusion)}`);
    expect(q8).toBeGreaterThanOrEqual(90);
    expect(fl - q8).toBeLessThanOrEqual(1);
  });
});

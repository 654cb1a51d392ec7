import { describe, expect, it } from 'vitest';
import block from './index.js';
import { classifierParams } from './params.js';
import { fakeContext, memoryWriter, sampleReader } from '../testing/fake-context.js';
import { BASIC_ACTIVITIES, haptAvailable, loadHaptFeatures } from '../testing/motion-fixture.js';

// Acceptance (issue 5, MOTION): HAPT six basic activities, 2 s windows, spectral analysis,
// EI's dense motion network, test users never seen in training.
describe.skipIf(!haptAvailable())('MOTION acceptance (shared accel-hapt)', () => {
  it('int8 test accuracy ≥ 80 % on held-out users', { timeout: 120_000 }, async () => {
    const t0 = performance.now();
    // A 12 Hz low-pass keeps the gait band; its start-up transient also carries the gravity
    // level that tells lying from sitting/standing (the spectral block removes the mean).
    const features = await loadHaptFeatures({ sizeMs: 2000, strideMs: 1000, spectral: { 'filter-type': 'low', 'filter-cutoff': 12, 'fft-length': 32 } });
    const tFeatures = (performance.now() - t0) / 1000;
    expect(new Set(features.map((s) => s.label))).toEqual(new Set(BASIC_ACTIVITIES));
    expect(features[0]!.shape).toEqual([3, 5 + 8]); // per axis: 5 statistics + FFT bins 1…8 (1.56–12.5 Hz)
    const usersOf = (category: string) => new Set(features.filter((s) => s.category === category).map((s) => String(s.meta?.['group'])));
    const trainUsers = usersOf('train');
    const testUsers = usersOf('test');
    expect([...testUsers].filter((u) => trainUsers.has(u))).toEqual([]);
    expect(testUsers.size).toBeGreaterThanOrEqual(3);

    const params = classifierParams.parse({
      preset: 'ei-dense-motion',
      epochs: 30,
      learningRate: 0.005,
      validationSplit: 0.2,
      validationGroupKey: 'group', // validation users are not training users either
      seed: 1,
    });
    const out = memoryWriter();
    await block.run(fakeContext(params, sampleReader(features), out).ctx as never);
    const seconds = (performance.now() - t0) / 1000;
    const m = out.json('metrics.json') as { labels: string[]; counts: Record<string, number>; float32: { test: { accuracy: number } }; int8: { test: { accuracy: number; confusion: number[][] } } };
    const fl = m.float32.test.accuracy * 100;
    const q8 = m.int8.test.accuracy * 100;
    console.log(`MOTION: ${features.length} windows (features ${tFeatures.toFixed(1)} s), train ${m.counts['train']} / val ${m.counts['validation']} / test ${m.counts['test']}, test users ${[...testUsers].sort().join(',')}; float32 ${fl.toFixed(2)} %, int8 ${q8.toFixed(2)} %; total ${seconds.toFixed(1)} s`);
    console.log(`MOTION int8 confusion (rows actual ${m.labels.join('/')}): ${JSON.stringify(m.int8.test.confusion)}`);
    expect(q8).toBeGreaterThanOrEqual(80);
    expect(fl - q8).toBeLessThanOrEqual(2);
    expect(seconds).toBeLessThan(60);
  });
});

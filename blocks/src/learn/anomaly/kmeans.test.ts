import { describe, expect, it } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import block from './index.js';
import { anomalyParams, anomalyScore, fitAnomaly, type AnomalyModel } from './kmeans.js';
import { fakeContext, memoryWriter, sampleReader } from '../testing/fake-context.js';
import { Rng } from '../nn/rng.js';

describe('K-means anomaly (EI scoring)', () => {
  it('scores by hand: distance to the nearest centre minus its radius, in scaled units', () => {
    const model: AnomalyModel = {
      format: 'tinyforge-anomaly-kmeans',
      version: 1,
      axes: [1, 2],
      mean: [10, 0],
      scale: [2, 1],
      clusters: [
        { center: [0, 0], maxError: 1 },
        { center: [3, 4], maxError: 0.5 },
      ],
      threshold: 0.3,
      dsp: null,
    };
    // Axis 0 ignored. x = [_, 10, 0] → scaled (0, 0): cluster 0 gives 0 − 1 = −1.
    expect(anomalyScore(model, [99, 10, 0])).toBeCloseTo(-1, 12);
    // x = [_, 16, 4] → (3, 4): cluster 1 gives 0 − 0.5; cluster 0 gives 5 − 1 = 4 → −0.5.
    expect(anomalyScore(model, [0, 16, 4])).toBeCloseTo(-0.5, 12);
    // x = [_, 10, 8] → (0, 8): cluster 0: 8 − 1 = 7; cluster 1: √(9 + 16) − 0.5 = 4.5 → 4.5.
    expect(anomalyScore(model, [0, 10, 8])).toBeCloseTo(4.5, 12);
  });

  it('fits blobs: training points score ≤ 0, far points score high; seeded fits are identical', () => {
    const rng = new Rng(3);
    const centres = [
      [0, 0, 0],
      [5, 5, 0],
      [0, 5, 5],
    ];
    const train = Array.from({ length: 300 }, (_, i) => Float32Array.from(centres[i % 3]!, (c) => c + rng.uniform(-0.5, 0.5)));
    const p = anomalyParams.parse({ clusters: 3 });
    const model = fitAnomaly(train, p, null);
    expect(model.clusters).toHaveLength(3);
    expect(Math.max(...train.map((t) => anomalyScore(model, t)))).toBeLessThanOrEqual(1e-6);
    expect(anomalyScore(model, [10, -5, 10])).toBeGreaterThan(2);
    expect(JSON.stringify(fitAnomaly(train, p, null))).toBe(JSON.stringify(model));
  });

  it('block writes anomaly.json and per-label score statistics; rejects out-of-range axes', async () => {
    const rng = new Rng(4);
    const samples: Sample[] = [];
    for (let i = 0; i < 200; i++) samples.push({ id: `n${i}`, label: 'normal', category: i < 160 ? 'train' : 'test', sensors: [], intervalMs: 0, values: Float32Array.from({ length: 4 }, () => rng.uniform(-1, 1)) });
    for (let i = 0; i < 20; i++) samples.push({ id: `a${i}`, label: 'anomaly', category: 'test', sensors: [], intervalMs: 0, values: Float32Array.from({ length: 4 }, () => rng.uniform(4, 6)) });
    const out = memoryWriter();
    const f = fakeContext(anomalyParams.parse({ clusters: 8 }), sampleReader(samples), out);
    await block.run(f.ctx as never);
    const m = out.json('metrics.json') as { scores: Record<string, { overThreshold: number }> };
    expect(m.scores['test/anomaly']!.overThreshold).toBe(1);
    expect(m.scores['train/normal']!.overThreshold).toBe(0);
    expect(m.scores['test/normal']!.overThreshold).toBeLessThan(0.3);
    const bad = fakeContext(anomalyParams.parse({ axes: [0, 9] }), sampleReader(samples), memoryWriter());
    await expect(block.run(bad.ctx as never)).rejects.toThrow(/axes 9 are out of range/);
  });
});

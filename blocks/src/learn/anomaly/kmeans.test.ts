import { describe, expect, it } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import block from './index.js';
import { anomalyParams, checkAnomalyParams } from './params.js';
import { anomalyScore, fitAnomaly, type AnomalyModel } from './model.js';
import { fakeContext, memoryWriter, sampleReader } from '../testing/fake-context.js';
import { Rng } from '../nn/rng.js';
import { rocAuc } from '../metrics.js';
import { loadAnomalyScorer } from './predictor.js';

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

  it('ROC AUC by hand: ranks with ties counted half', () => {
    expect(rocAuc([0, 1], [2, 3])).toBe(1);
    expect(rocAuc([2, 3], [0, 1])).toBe(0);
    // pairs (pos > neg): 1>0 ✓, 1>1 tie, 1>2 ✗, 3>0 ✓, 3>1 ✓, 3>2 ✓ → (4 + 0.5) / 6
    expect(rocAuc([0, 1, 2], [1, 3])).toBeCloseTo(4.5 / 6, 12);
    expect(rocAuc([], [1])).toBeNaN();
  });

  it('normalLabels: clusters only normal train samples; metrics.json has the test AUC per label; the artifact scores alone', async () => {
    const rng = new Rng(6);
    const mk = (id: string, label: string, category: 'train' | 'test', lo: number, hi: number): Sample => ({ id, label, category, sensors: [], intervalMs: 0, values: Float32Array.from({ length: 3 }, () => rng.uniform(lo, hi)) });
    const samples: Sample[] = [];
    for (let i = 0; i < 120; i++) samples.push(mk(`n${i}`, 'ok', i < 100 ? 'train' : 'test', -1, 1));
    // Anomalies in train too: with normalLabels they must not become clusters.
    for (let i = 0; i < 30; i++) samples.push(mk(`a${i}`, 'far', i < 20 ? 'train' : 'test', 5, 7));
    for (let i = 0; i < 10; i++) samples.push(mk(`b${i}`, 'near', 'test', -1.2, 1.2));
    const out = memoryWriter();
    const f = fakeContext(anomalyParams.parse({ clusters: 4, normalLabels: ['ok'] }), sampleReader(samples), out);
    await block.run(f.ctx as never);
    const m = out.json('metrics.json') as { normalLabels: string[]; auc: { test: number; negatives: number; positives: number; perLabel: Record<string, number> }; scores: Record<string, { samples: number; p95: number; std: number }> };
    expect(m.normalLabels).toEqual(['ok']);
    expect(m.auc.negatives).toBe(20);
    expect(m.auc.positives).toBe(20);
    expect(m.auc.perLabel['far']).toBe(1);
    expect(m.auc.perLabel['near']).toBeLessThan(0.9); // overlaps the normal cloud
    expect(m.scores['train/far']!.samples).toBe(20);
    const scorer = await loadAnomalyScorer({
      kind: 'model', digest: 'd', meta: {},
      files: [...out.files.keys()].map((name) => ({ name, digest: name, size: 0 })),
      readFile: async (name) => Buffer.from(out.files.get(name) as string),
      readJson: async <T,>(name: string) => JSON.parse(out.files.get(name) as string) as T,
    });
    expect(scorer.isAnomaly(samples.find((s) => s.id === 'a0')!.values)).toBe(true);
    expect(scorer.score(samples[0]!.values)).toBeLessThanOrEqual(1e-6);
    // Without normalLabels the far train samples are normal data: they get clusters of their own.
    const all = memoryWriter();
    await block.run(fakeContext(anomalyParams.parse({ clusters: 4 }), sampleReader(samples), all).ctx as never);
    expect((all.json('metrics.json') as { auc: { perLabel: Record<string, number> } }).auc.perLabel).toEqual({ near: expect.any(Number) });
  });

  it('rejects bad input with clear TinyforgeErrors', async () => {
    const s = (id: string, label: string, category: 'train' | 'test', values: number[]): Sample => ({ id, label, category, sensors: [], intervalMs: 0, values: Float32Array.from(values) });
    const run = (samples: Sample[], raw: object = {}) => block.run(fakeContext(anomalyParams.parse(raw), sampleReader(samples), memoryWriter()).ctx as never);
    await expect(run([s('t', 'x', 'test', [1, 2])])).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/train category is empty/) });
    await expect(run([s('a', 'x', 'train', [1, 2])], { normalLabels: ['ok'] })).rejects.toMatchObject({ code: 'BAD_INPUT', path: 'normalLabels', message: 'no train samples are labelled ok (train labels: x)' });
    await expect(run([s('a', 'x', 'train', [1, 2]), s('b', 'x', 'train', [1, NaN])])).rejects.toThrow(/sample b has a non-finite feature value at index 1/);
    await expect(run([s('a', 'x', 'train', [1, 2]), s('b', 'x', 'test', [1, 2, 3])])).rejects.toThrow(/sample b has 3 feature values, expected 2/);
    expect(checkAnomalyParams(anomalyParams.parse({ normalLabels: ['a', 'a'] })).map((p) => p.path)).toEqual(['normalLabels']);
  });
});

import { describe, expect, it } from 'vitest';
import type { FileSetReader, Sample } from '@tinyforge/sdk';
import block from './index.js';
import { anomalyParams, checkAnomalyParams } from './params.js';
import { anomalyScore, fitAnomaly, type AnomalyModel, type GmmAnomalyModel } from './model.js';
import { loadAnomalyScorer } from './predictor.js';
import { fakeContext, memoryWriter, sampleReader } from '../testing/fake-context.js';
import { Rng } from '../nn/rng.js';

/** Standard normal by Box–Muller (seeded). */
const gauss = (rng: Rng): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

function reader(model: unknown): FileSetReader {
  const text = JSON.stringify(model);
  return { kind: 'model', digest: 'd', meta: {}, files: [{ name: 'anomaly.json', digest: 'a', size: text.length }], readFile: async () => Buffer.from(text), readJson: async <T,>() => JSON.parse(text) as T };
}

describe('GMM anomaly', () => {
  it('scores by hand: −log N(z; μ, Σ) − offset after log10 and scaling', () => {
    // One component, Σ = diag(4, 1) → L⁻¹ = diag(1/2, 1); log det L⁻¹ = −log 2.
    const model: GmmAnomalyModel = {
      format: 'tinyforge-anomaly-gmm',
      version: 1,
      axes: [0, 2],
      log: [true, false],
      mean: [1, 5],
      scale: [1, 2],
      components: [{ weight: 1, mean: [0, 0], precisionCholesky: [0.5, 0, 0, 1] }],
      offset: 1,
      threshold: 0,
      dsp: null,
    };
    // x = [100, _, 9] → (log10 100 − 1)/1 = 1, (9 − 5)/2 = 2 → maha = (1/2)² + 2² = 4.25.
    const expected = 0.5 * 4.25 + Math.log(2) + Math.log(2 * Math.PI) - 1;
    expect(anomalyScore(model, [100, 77, 9])).toBeCloseTo(expected, 12);
    // A non-positive value on a log axis (dead sensor) scores far out, not NaN.
    expect(anomalyScore(model, [0, 0, 5])).toBeGreaterThan(100);
  });

  it('fits two elongated blobs: weights and means recovered, full covariance matters, train ≤ 0, seeded fits identical', () => {
    const rng = new Rng(11);
    const train: Float32Array[] = [];
    // Blob A along x at (0, 0), blob B along y at (10, 10), 2:1.
    for (let i = 0; i < 600; i++) {
      if (i % 3 < 2) train.push(Float32Array.of(3 * gauss(rng), 0.3 * gauss(rng)));
      else train.push(Float32Array.of(10 + 0.3 * gauss(rng), 10 + 3 * gauss(rng)));
    }
    const p = anomalyParams.parse({ method: 'gmm', components: 2, standardize: false });
    const model = fitAnomaly(train, p, null) as GmmAnomalyModel;
    expect(model.format).toBe('tinyforge-anomaly-gmm');
    expect(model.mean).toEqual([0, 0]);
    expect(model.scale).toEqual([1, 1]);
    const [a, b] = [...model.components].sort((u, v) => u.mean[0]! - v.mean[0]!);
    expect(a!.weight).toBeCloseTo(2 / 3, 1);
    expect(b!.weight).toBeCloseTo(1 / 3, 1);
    expect(a!.mean[0]).toBeCloseTo(0, 0);
    expect(b!.mean[1]).toBeCloseTo(10, 0);
    expect(Math.max(...train.map((t) => anomalyScore(model, t)))).toBeLessThanOrEqual(1e-9);
    // 5 units from A's centre: along its long axis it is likely, across it far out.
    expect(anomalyScore(model, [5, 0])).toBeLessThan(0);
    expect(anomalyScore(model, [0, 5])).toBeGreaterThan(50);
    expect(JSON.stringify(fitAnomaly(train, p, null))).toBe(JSON.stringify(model));
  });

  it('block: method gmm writes a GMM artifact the scorer loads; threshold defaults to 0', async () => {
    const rng = new Rng(5);
    const samples: Sample[] = [];
    for (let i = 0; i < 200; i++) samples.push({ id: `n${i}`, label: 'ok', category: i < 160 ? 'train' : 'test', sensors: [], intervalMs: 0, values: Float32Array.from({ length: 3 }, () => 1 + 0.1 * gauss(rng)) });
    for (let i = 0; i < 20; i++) samples.push({ id: `a${i}`, label: 'bad', category: 'test', sensors: [], intervalMs: 0, values: Float32Array.from({ length: 3 }, () => 3 + 0.1 * gauss(rng)) });
    const out = memoryWriter();
    await block.run(fakeContext(anomalyParams.parse({ method: 'gmm', components: 2, normalLabels: ['ok'], logAxes: [0, 1, 2] }), sampleReader(samples), out).ctx as never);
    const m = out.json('metrics.json') as { threshold: number; auc: { test: number } };
    expect(m.threshold).toBe(0);
    expect(m.auc.test).toBe(1);
    expect(out.meta).toMatchObject({ task: 'anomaly', method: 'gmm', components: 2 });
    const scorer = await loadAnomalyScorer(reader(out.json('anomaly.json')));
    expect(scorer.isAnomaly(samples.find((s) => s.id === 'a0')!.values)).toBe(true);
    expect(scorer.score(samples[0]!.values)).toBeLessThanOrEqual(1e-9);
  });

  it('logAxes: bad params and non-positive train values are clear errors', async () => {
    expect(checkAnomalyParams(anomalyParams.parse({ axes: [0, 1], logAxes: [2] })).map((p) => p.message)).toEqual(['logAxes 2 are not among axes']);
    const s = (id: string, values: number[]): Sample => ({ id, label: 'x', category: 'train', sensors: [], intervalMs: 0, values: Float32Array.from(values) });
    const run = (raw: object) => block.run(fakeContext(anomalyParams.parse(raw), sampleReader([s('a', [1, 2]), s('b', [0, 3])]), memoryWriter()).ctx as never);
    await expect(run({ logAxes: [0] })).rejects.toMatchObject({ code: 'BAD_INPUT', path: 'logAxes', message: 'sample b has 0 at index 0, a log axis: log10 needs values > 0' });
    await expect(run({ logAxes: [5] })).rejects.toMatchObject({ code: 'BAD_INPUT', path: 'logAxes' });
  });

  it('the scorer still loads version-1 K-means artifacts (no log flags) and rejects unknown formats', async () => {
    const v1 = { format: 'tinyforge-anomaly-kmeans', version: 1, axes: [0], mean: [0], scale: [1], clusters: [{ center: [0], maxError: 1 }], threshold: 0.3, dsp: null };
    const scorer = await loadAnomalyScorer(reader(v1));
    expect(scorer.score([3])).toBeCloseTo(2, 12);
    expect(anomalyScore(v1 as AnomalyModel, [-0.5])).toBeCloseTo(-0.5, 12);
    await expect(loadAnomalyScorer(reader({ ...v1, format: 'tinyforge-anomaly-svm' }))).rejects.toThrow(/expected tinyforge-anomaly-kmeans v1\/v2 or tinyforge-anomaly-gmm v1/);
  });
});

import { describe, expect, it } from 'vitest';
import type { FileSetReader } from '@tinyforge/sdk';
import block from './index.js';
import { anomalyParams } from './kmeans.js';
import { loadAnomalyScorer } from './predictor.js';
import { rocAuc } from '../metrics.js';
import { fakeContext, memoryWriter, sampleReader, type MemoryFiles } from '../testing/fake-context.js';
import { loadVibrationFeatures, speedOf, vibrationAvailable } from '../testing/vibration-fixture.js';

/** A model artifact written by memoryWriter, read back like the store would hand it over. */
function asReader(out: MemoryFiles): FileSetReader {
  const buf = (name: string): Buffer => Buffer.from(out.files.get(name)!);
  return {
    kind: 'model',
    digest: 'test',
    files: [...out.files.keys()].map((name) => ({ name, digest: name, size: buf(name).length })),
    meta: out.meta,
    readFile: async (name) => buf(name),
    readJson: async <T>(name: string) => JSON.parse(buf(name).toString('utf8')) as T,
  };
}

// Acceptance (issue 5, ANOMALY): K-means trained on balanced windows only (configuration 3);
// test negatives are balanced windows of fan speeds held out of training.
describe.skipIf(!vibrationAvailable())('ANOMALY acceptance (shared vibration-fan-imbalance)', () => {
  it('separates the unbalanced configurations: ROC AUC ≥ 0.9 where imbalance shows (speed ≥ 40 %)', { timeout: 60_000 }, async () => {
    const t0 = performance.now();
    const features = await loadVibrationFeatures(); // 2 s windows, stride 1 s, EI-default spectral analysis
    const balancedTrainSpeeds = new Set(features.filter((s) => s.category === 'train' && s.label === 'balanced').map((s) => speedOf(s.id)));
    const balancedTestSpeeds = new Set(features.filter((s) => s.category === 'test' && s.label === 'balanced').map((s) => speedOf(s.id)));
    expect(balancedTestSpeeds.size).toBeGreaterThanOrEqual(2);
    expect([...balancedTestSpeeds].filter((v) => balancedTrainSpeeds.has(v))).toEqual([]);

    // EI defaults: every feature, 32 clusters.
    const out = memoryWriter();
    const f = fakeContext(anomalyParams.parse({ normalLabels: ['balanced'] }), sampleReader(features), out);
    await block.run(f.ctx as never);
    const m = out.json('metrics.json') as {
      normalLabels: string[];
      auc: { test: number; negatives: number; positives: number; perLabel: Record<string, number> };
      scores: Record<string, { samples: number; mean: number; median: number; p95: number }>;
    };
    expect(m.normalLabels).toEqual(['balanced']);
    // Train windows of unbalanced runs were never clustered, only scored.
    expect(f.logs.some((l) => /clustering \d+ of \d+ train samples/.test(l))).toBe(true);

    // The artifact alone scores windows (anomaly.json through the scorer) and agrees with metrics.json.
    const scorer = await loadAnomalyScorer(asReader(out));
    const test = features.filter((s) => s.category === 'test');
    const scored = test.map((s) => ({ speed: speedOf(s.id), unbalanced: s.label === 'unbalanced', score: scorer.score(s.values) }));
    const auc = (rows: typeof scored): number => rocAuc(rows.filter((r) => !r.unbalanced).map((r) => r.score), rows.filter((r) => r.unbalanced).map((r) => r.score));
    expect(auc(scored)).toBeCloseTo(m.auc.test, 12);
    expect(m.auc.negatives + m.auc.positives).toBe(test.length);

    const visible = scored.filter((r) => r.speed >= 40);
    const aucVisible = auc(visible);
    const perSpeed = [...new Set(scored.filter((r) => r.unbalanced).map((r) => r.speed))].sort((a, b) => a - b).map((v) => `${v}%:${rocAuc(scored.filter((r) => !r.unbalanced).map((r) => r.score), scored.filter((r) => r.unbalanced && r.speed === v).map((r) => r.score)).toFixed(2)}`);
    // Unbalanced train-category windows were never clustered either: all of them against the same negatives.
    const unseen = features.filter((s) => s.label === 'unbalanced' && speedOf(s.id) >= 40).map((s) => scorer.score(s.values));
    const aucUnseen = rocAuc(scored.filter((r) => !r.unbalanced).map((r) => r.score), unseen);
    const seconds = (performance.now() - t0) / 1000;
    console.log(`ANOMALY: ${features.length} windows; balanced train speeds ${[...balancedTrainSpeeds].sort((a, b) => a - b).join(',')}, held-out ${[...balancedTestSpeeds].sort((a, b) => a - b).join(',')}; test AUC all speeds ${m.auc.test.toFixed(4)} (${m.auc.negatives} neg / ${m.auc.positives} pos), speeds ≥ 40 % ${aucVisible.toFixed(4)} (all ${unseen.length} unbalanced windows ≥ 40 %: ${aucUnseen.toFixed(4)}); ${seconds.toFixed(1)} s`);
    console.log(`ANOMALY AUC per unbalanced speed vs all balanced test windows: ${perSpeed.join(' ')}`);
    console.log(`ANOMALY score medians: ${Object.entries(m.scores).map(([k, v]) => `${k} ${v.median.toFixed(2)}`).join(', ')}`);
    // At 20–30 % speed the unbalanced runs vibrate like the balanced one (per-axis std within
    // ~10 %), so no detector separates them there; the bar applies where the imbalance shows.
    expect(aucVisible).toBeGreaterThanOrEqual(0.9);
    expect(aucUnseen).toBeGreaterThanOrEqual(0.9);
    expect(m.auc.test).toBeGreaterThanOrEqual(0.7);
    expect(m.scores['test/unbalanced']!.median).toBeGreaterThan(m.scores['test/balanced']!.median);
  });
});

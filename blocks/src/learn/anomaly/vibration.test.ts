import { describe, expect, it } from 'vitest';
import type { FileSetReader, Sample } from '@tinyforge/sdk';
import block from './index.js';
import { anomalyParams } from './params.js';
import { loadAnomalyScorer, type AnomalyScorer } from './predictor.js';
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

interface Metrics {
  normalLabels: string[];
  auc: { test: number; negatives: number; positives: number; perLabel: Record<string, number> };
  scores: Record<string, { samples: number; mean: number; median: number; p95: number }>;
}

/** Per-axis spectral-analysis layout (FFT 16): RMS, skewness, kurtosis, spectral skewness, spectral kurtosis, 8 bin powers. */
const PER_AXIS = 13;
const perAxis = (offsets: number[]): number[] => [0, 1, 2].flatMap((axis) => offsets.map((o) => axis * PER_AXIS + o));

async function runAnomaly(features: Sample[], raw: object): Promise<{ metrics: Metrics; scorer: AnomalyScorer; logs: string[] }> {
  const out = memoryWriter();
  const f = fakeContext(anomalyParams.parse({ normalLabels: ['balanced'], ...raw }), sampleReader(features), out);
  await block.run(f.ctx as never);
  return { metrics: out.json('metrics.json') as Metrics, scorer: await loadAnomalyScorer(asReader(out)), logs: f.logs };
}

/**
 * Negatives: balanced test windows (fan speeds held out of training). Positives: unbalanced
 * windows of one speed, from the test category or from every category (no unbalanced window is
 * ever fitted, so the train-category ones are unseen too and double the evidence per speed).
 */
function perSpeedAuc(features: Sample[], scorer: AnomalyScorer): { speed: number; test: number | null; all: number }[] {
  const scored = features.map((s) => ({ s, speed: speedOf(s.id), score: scorer.score(s.values) }));
  const negatives = scored.filter((r) => r.s.category === 'test' && r.s.label === 'balanced').map((r) => r.score);
  const speeds = [...new Set(scored.filter((r) => r.s.label === 'unbalanced').map((r) => r.speed))].sort((a, b) => a - b);
  return speeds.map((speed) => {
    const unbalanced = scored.filter((r) => r.s.label === 'unbalanced' && r.speed === speed);
    const test = unbalanced.filter((r) => r.s.category === 'test').map((r) => r.score);
    return { speed, test: test.length > 0 ? rocAuc(negatives, test) : null, all: rocAuc(negatives, unbalanced.map((r) => r.score)) };
  });
}

const fmt = (rows: ReturnType<typeof perSpeedAuc>): string => rows.map((r) => `${r.speed}%:${r.test === null ? '-' : r.test.toFixed(2)}/${r.all.toFixed(2)}`).join(' ');

// Acceptance (issue 5, ANOMALY): trained on balanced windows only (configuration 3); test
// negatives are balanced windows of fan speeds held out of training.
describe.skipIf(!vibrationAvailable())('ANOMALY acceptance (shared vibration-fan-imbalance)', () => {
  let features: Sample[] = [];
  const load = async (): Promise<Sample[]> => (features.length > 0 ? features : (features = await loadVibrationFeatures())); // 2 s windows, stride 1 s, EI-default spectral analysis

  it('split: balanced test windows come from fan speeds never trained on', { timeout: 60_000 }, async () => {
    const all = await load();
    const speeds = (category: string): Set<number> => new Set(all.filter((s) => s.category === category && s.label === 'balanced').map((s) => speedOf(s.id)));
    expect(speeds('test').size).toBeGreaterThanOrEqual(2);
    expect([...speeds('test')].filter((v) => speeds('train').has(v))).toEqual([]);
  });

  it('GMM on per-axis log RMS, skewness and kurtosis: ROC AUC ≥ 0.9 over all speeds, and at every speed on all unseen unbalanced windows', { timeout: 60_000 }, async () => {
    const all = await load();
    const t0 = performance.now();
    // Amplitude and shape of each axis (9 values): the balanced fan keeps a joint pattern across
    // speeds (how x, y, z amplitudes relate) that the weights break even where the 1× tone is
    // still buried (20–30 %). log10 because RMS spans two decades over the speed range.
    const axes = perAxis([0, 1, 2]);
    const { metrics: m, scorer, logs } = await runAnomaly(all, { method: 'gmm', components: 4, axes, logAxes: perAxis([0]) });
    expect(logs.some((l) => /fitting \d+ of \d+ train samples/.test(l))).toBe(true);
    const test = all.filter((s) => s.category === 'test');
    const scored = test.map((s) => ({ unbalanced: s.label === 'unbalanced', score: scorer.score(s.values) }));
    // The artifact alone scores windows and agrees with metrics.json.
    expect(rocAuc(scored.filter((r) => !r.unbalanced).map((r) => r.score), scored.filter((r) => r.unbalanced).map((r) => r.score))).toBeCloseTo(m.auc.test, 12);
    expect(m.auc.negatives + m.auc.positives).toBe(test.length);
    // Every normal train window scores ≤ 0 (the offset is their largest −log-likelihood).
    const trainBalanced = all.filter((s) => s.category === 'train' && s.label === 'balanced').map((s) => scorer.score(s.values));
    expect(Math.max(...trainBalanced)).toBeLessThanOrEqual(1e-9);
    const speeds = perSpeedAuc(all, scorer);
    const lowSpeeds = speeds.filter((r) => r.speed < 40);
    console.log(`ANOMALY GMM (log RMS, skew, kurtosis per axis; 4 components): test AUC all speeds ${m.auc.test.toFixed(4)} (${m.auc.negatives} neg / ${m.auc.positives} pos); ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    console.log(`ANOMALY GMM AUC per unbalanced speed (test windows / all unbalanced windows) vs balanced test windows: ${fmt(speeds)}`);
    console.log(`ANOMALY GMM score medians: ${Object.entries(m.scores).map(([k, v]) => `${k} ${v.median.toFixed(2)}`).join(', ')}`);
    expect(m.auc.test).toBeGreaterThanOrEqual(0.9);
    // 25 % (train category only: 2 recordings) is the weakest speed, 0.75–0.90 over seeds.
    for (const r of speeds) expect(r.all, `${r.speed} %`).toBeGreaterThanOrEqual(r.speed < 40 ? 0.7 : 0.9);
    expect(lowSpeeds.length).toBe(3);
  });

  it('GMM: the ≥ 0.9 test AUC does not hang on one seed', { timeout: 60_000 }, async () => {
    const all = await load();
    const aucs: number[] = [];
    for (const seed of [2, 3, 4, 5]) aucs.push((await runAnomaly(all, { method: 'gmm', components: 4, axes: perAxis([0, 1, 2]), logAxes: perAxis([0]), seed })).metrics.auc.test);
    console.log(`ANOMALY GMM test AUC, seeds 2–5: ${aucs.map((a) => a.toFixed(4)).join(' ')}`);
    for (const a of aucs) expect(a).toBeGreaterThanOrEqual(0.9);
  });

  it('EI defaults (K-means, 32 clusters, every feature): ROC AUC ≥ 0.9 where the 1× tone shows (speed ≥ 40 %)', { timeout: 60_000 }, async () => {
    const all = await load();
    const { metrics: m, scorer } = await runAnomaly(all, {});
    const speeds = perSpeedAuc(all, scorer);
    const scored = all.filter((s) => s.category === 'test').map((s) => ({ speed: speedOf(s.id), unbalanced: s.label === 'unbalanced', score: scorer.score(s.values) }));
    const negatives = scored.filter((r) => !r.unbalanced).map((r) => r.score);
    const aucVisible = rocAuc(negatives, scored.filter((r) => r.unbalanced && r.speed >= 40).map((r) => r.score));
    console.log(`ANOMALY K-means EI defaults: test AUC all speeds ${m.auc.test.toFixed(4)}, speeds ≥ 40 % ${aucVisible.toFixed(4)}; per speed (test / all unbalanced): ${fmt(speeds)}`);
    // Every feature with equal weight: the 8 spectral bins per axis drown the amplitude pattern,
    // so below 40 % it ranks near chance; the GMM above is the configuration that separates them.
    expect(aucVisible).toBeGreaterThanOrEqual(0.9);
    expect(m.auc.test).toBeGreaterThanOrEqual(0.7);
    expect(m.scores['test/unbalanced']!.median).toBeGreaterThan(m.scores['test/balanced']!.median);
  });
});

import { describe, expect, it } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import block from './index.js';
import { regressionParams, checkRegressionParams, regressionMetrics } from './regression.js';
import { fakeContext, memoryWriter, sampleReader } from '../testing/fake-context.js';
import { Rng } from '../nn/rng.js';

/** y = 3·x0 − 2·x1 + x2² + noise, 6 features. */
function synthetic(n: number): Sample[] {
  const rng = new Rng(5);
  return Array.from({ length: n }, (_, i) => {
    const v = Float32Array.from({ length: 6 }, () => rng.uniform(-1, 1));
    const y = 3 * v[0]! - 2 * v[1]! + v[2]! * v[2]! + rng.uniform(-0.05, 0.05);
    return { id: `r${i}`, label: y.toFixed(4), category: i % 5 === 0 ? 'test' : 'train', sensors: [], intervalMs: 0, values: v } as Sample;
  });
}

describe('learn/regression block', () => {
  it('fits a smooth target; int8 stays close to float', async () => {
    const p = regressionParams.parse({ epochs: 60, learningRate: 0.01 });
    const out = memoryWriter();
    const f = fakeContext(p, sampleReader(synthetic(600)), out);
    await block.run(f.ctx as never);
    const m = JSON.parse(out.files.get('metrics.json') as string) as { float32: { test: { r2: number; mae: number } }; int8: { test: { r2: number; mae: number } } };
    expect(m.float32.test.r2).toBeGreaterThan(0.95);
    expect(m.int8.test.r2).toBeGreaterThan(0.93);
    expect(f.progress).toHaveLength(60);
  });

  it('rejects non-numeric labels and a non-linear output layer', async () => {
    const samples = synthetic(20).map((s, i) => (i === 3 ? { ...s, label: 'high' } : s));
    const f = fakeContext(regressionParams.parse({ epochs: 1 }), sampleReader(samples), memoryWriter());
    await expect(block.run(f.ctx as never)).rejects.toThrow(/sample r3 has label "high", which is not a number/);
    expect(checkRegressionParams(regressionParams.parse({ layers: [{ type: 'dense', units: 1, activation: 'softmax' }] }))[0]!.message).toMatch(/linear/);
  });

  it('metrics: hand-checked MSE/MAE/R²', () => {
    const m = regressionMetrics([1, 2, 4], [1, 3, 3]);
    expect(m.mse).toBeCloseTo(2 / 3, 12);
    expect(m.mae).toBeCloseTo(2 / 3, 12);
    // mean 7/3; SS_tot = (16 + 4 + 4)/9 = 8/3; R² = 1 − 2/(8/3) = 0.25
    expect(m.r2).toBeCloseTo(0.25, 12);
  });
});

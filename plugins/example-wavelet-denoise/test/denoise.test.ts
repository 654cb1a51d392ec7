import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose, makeSample, runSampleBlock } from '@tinyforge/sdk/testing';
import waveletDenoise from '../src/index.js';

/** Deterministic Gaussian-ish noise (sum of 4 uniforms from an LCG). */
function noise(n: number, seed: number, sigma: number): Float64Array {
  let state = seed >>> 0;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Float64Array.from({ length: n }, () => (uniform() + uniform() + uniform() + uniform() - 2) * sigma * Math.sqrt(3));
}

function rmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum / a.length);
}

const frames = 256;
const clean = Float64Array.from({ length: frames }, (_, i) => Math.sin((2 * Math.PI * 3 * i) / frames));
const jitter = noise(frames, 42, 0.3);
const noisy = clean.map((v, i) => v + jitter[i]!);

test('universal soft thresholding brings a noisy sine closer to the clean one', async () => {
  const { samples } = await runSampleBlock(waveletDenoise, [makeSample({ id: 'sine', values: noisy })]);
  const out = samples[0]!.values;
  const before = rmse(noisy, clean);
  const after = rmse(out, clean);
  assert.ok(after < 0.6 * before, `rmse ${after.toFixed(4)} should be well below ${before.toFixed(4)}`);
});

test('threshold 0 reconstructs the input exactly, per axis, for lengths that are not powers of two', async () => {
  const axes = 2;
  const n = 37;
  const values = Float32Array.from({ length: n * axes }, (_, i) => Math.cos(i * 0.7) * (i % axes === 0 ? 1 : 5));
  const input = makeSample({ id: 'two-axes', values, sensors: [{ name: 'x', units: 'g' }, { name: 'y', units: 'g' }] });
  const { samples, params } = await runSampleBlock(waveletDenoise, [input], { threshold: 0, levels: 3 });
  assert.equal(params.mode, 'soft');
  assertClose(samples[0]!.values, values, 1e-5);
});

test('hard thresholding keeps large details untouched and removes small ones', async () => {
  // One step of height 4 on a flat line: its Haar detail is large and must survive.
  const step = Float32Array.from({ length: 64 }, (_, i) => (i < 31 ? 0 : 4));
  const { samples } = await runSampleBlock(waveletDenoise, [makeSample({ values: step })], { threshold: 0.5, mode: 'hard', levels: 2 });
  assertClose(samples[0]!.values, step, 1e-5);
});

test('params are validated by the block schema', async () => {
  await assert.rejects(runSampleBlock(waveletDenoise, [makeSample({ values: [1, 2] })], { levels: 0 }), /levels/);
  await assert.rejects(runSampleBlock(waveletDenoise, [makeSample({ values: [1, 2] })], { level: 2 }), /has no param "level"/);
});

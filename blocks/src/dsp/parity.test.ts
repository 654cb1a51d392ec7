/**
 * Parity with Edge Impulse's own Python blocks on the 26 shared reference vectors
 * (/work/shared/dsp-vectors, tolerances from its README). Each case goes through the block
 * itself: params parsed by the block's zod schema (straight from the EI params object), prepare,
 * runSample on a dataset sample.
 */
import { describe, expect, it } from 'vitest';
import type { Sample } from '@tinyforge/sdk';
import { dspVectorsAvailable, dspVectorsDir, loadDspVectors, type DspVector } from './common/dsp-vectors.js';
import mfccBlock from './mfcc/index.js';
import mfeBlock from './mfe/index.js';
import spectrogramBlock from './spectrogram/index.js';
import spectralBlock from './spectral/index.js';

const available = dspVectorsAvailable();
if (!available) {
  if (process.env['CI'] === 'true') throw new Error(`DSP reference vectors missing at ${dspVectorsDir()} (required under CI)`);
  console.log(`skipping DSP parity tests: no reference vectors at ${dspVectorsDir()}`);
}

const BLOCKS = { mfcc: mfccBlock, mfe: mfeBlock, spectrogram: spectrogramBlock, spectral: spectralBlock } as const;

/** Runs one vector through its block and returns the features sample. */
async function runVector(v: DspVector): Promise<Sample> {
  const block = BLOCKS[v.block];
  const params = block.params.parse(v.params);
  expect(block.checkParams?.(params as never) ?? []).toEqual([]);
  const state = (block.prepare as (p: unknown) => unknown)(params);
  const sample: Sample = {
    id: `${v.name}#0`,
    label: 'x',
    category: 'test',
    sensors: Array.from({ length: v.axes }, (_, i) => ({ name: `axis${i}`, units: 'raw' })),
    intervalMs: 1000 / v.frequency,
    values: Float32Array.from(v.input),
  };
  const out = await (block.runSample as (s: Sample, c: unknown) => Promise<Sample> | Sample)(sample, { params, state, pipelineDir: '.' });
  return out;
}

/** Worst error of a case under the README's rule for its block, in units of the tolerance rule. */
function worstError(v: DspVector, actual: Float32Array): { worst: number; index: number } {
  let worst = 0;
  let index = -1;
  for (let i = 0; i < v.features.length; i++) {
    const r = v.features[i]!;
    const a = actual[i]!;
    const e = v.block === 'mfcc' ? Math.abs(a - r) : Math.abs(a - r) / Math.max(1, Math.abs(r));
    if (!(e <= worst)) {
      worst = e;
      index = i;
    }
  }
  return { worst, index };
}

const TOLERANCE = { mfcc: 1e-3, spectrogram: 1e-6, spectral: 1e-5 } as const;

describe.skipIf(!available)('DSP parity with Edge Impulse reference vectors', () => {
  const vectors = available ? loadDspVectors() : [];

  it('has all 26 cases', () => {
    expect(vectors.length).toBe(26);
  });

  for (const v of vectors) {
    it(`${v.name} (${v.block})`, async () => {
      const out = await runVector(v);
      expect(out.values.length).toBe(v.features.length);
      const shape = v.outputConfig.shape;
      if (v.block !== 'spectral') expect(out.shape).toEqual([shape['width'], shape['height']]);
      else expect(out.shape![0]! * out.shape![1]!).toBe(shape['width']);
      if (v.block === 'mfe') {
        // Steps of 1/256. The reference wraps cells that round to 256/256 to 0 (uint8 overflow);
        // we saturate at 255/256 instead. Every other cell must be the same step.
        let wrapped = 0;
        for (let i = 0; i < v.features.length; i++) {
          const a = Math.round(out.values[i]! * 256);
          const r = Math.round(v.features[i]! * 256);
          if (a === r) continue;
          expect({ i, a, r }).toEqual({ i, a: 255, r: 0 });
          wrapped++;
        }
        expect(wrapped).toBe(v.name === 'mfe-06' ? 18 : 0);
      } else {
        const { worst, index } = worstError(v, out.values);
        expect(worst, `worst error at feature ${index}`).toBeLessThanOrEqual(TOLERANCE[v.block]);
      }
    });
  }
});

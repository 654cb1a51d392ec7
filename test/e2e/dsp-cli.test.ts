import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from '../support/slice-project.js';
import { SHARED_DIR, sharedAvailable } from '../support/shared-data.js';

const hasVectors = sharedAvailable('dsp-vectors');

describe.skipIf(!hasVectors)('tinyforge dsp (live DSP preview) against Edge Impulse reference vectors', () => {
  for (const name of ['mfcc-04', 'spectral-04', 'spectrogram-02']) {
    test(`${name}: features and shape match`, async () => {
      const vector = JSON.parse(readFileSync(join(SHARED_DIR, 'dsp-vectors', `${name}.json`), 'utf8')) as { block: string; params: Record<string, unknown>; frequency: number; axes: number; input: number[]; features: number[] };
      const input = join(mkdtempSync(join(tmpdir(), 'tinyforge-dsp-')), 'input.json');
      writeFileSync(input, JSON.stringify({ values: vector.input, frequency: vector.frequency, axes: vector.axes }));
      const blockId = vector.block === 'spectral' ? 'dsp/spectral-analysis' : `dsp/${vector.block}`;
      const result = await runCli(['dsp', blockId, '--input', input, '--params', JSON.stringify(vector.params), '--json']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const out = JSON.parse(result.stdout) as { features: number[]; shape: number[] };
      expect(out.features.length).toBe(vector.features.length);
      const range = Math.max(...vector.features) - Math.min(...vector.features);
      const maxDiff = Math.max(...out.features.map((v, i) => Math.abs(v - vector.features[i]!)));
      expect(maxDiff / range).toBeLessThan(1e-4);
    });
  }

  test('bad params are a clear error naming the field', async () => {
    const input = join(mkdtempSync(join(tmpdir(), 'tinyforge-dsp-')), 'input.json');
    writeFileSync(input, JSON.stringify({ values: new Array(16000).fill(0), frequency: 16000, axes: 1 }));
    const result = await runCli(['dsp', 'dsp/mfcc', '--input', input, '--params', '{"fft_length": 300}', '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/fft_length/);
    expect(result.stderr).toMatch(/power of two/i);
  });
});

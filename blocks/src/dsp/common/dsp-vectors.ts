/**
 * Loader for the shared DSP reference vectors (/work/shared/dsp-vectors: Edge Impulse's own
 * Python outputs). Used by parity tests, the C emitter tests and the benchmark; not by blocks.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DspVector {
  name: string;
  block: 'mfcc' | 'mfe' | 'spectrogram' | 'spectral';
  params: Record<string, number | string | boolean>;
  frequency: number;
  axes: number;
  input: number[];
  features: number[];
  outputConfig: { type: string; shape: Record<string, number> };
}

/** The shared folder next to the repository (…/work/shared/dsp-vectors), found from this file. */
export function dspVectorsDir(): string {
  const env = process.env['TINYFORGE_SHARED'];
  if (env) return path.join(env, 'dsp-vectors');
  // blocks/src/dsp/common (or blocks/dist/dsp/common) → repo root is four levels up.
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
  return path.resolve(repoRoot, '../shared/dsp-vectors');
}

export function dspVectorsAvailable(): boolean {
  return existsSync(path.join(dspVectorsDir(), 'README.md'));
}

export function loadDspVectors(block?: DspVector['block']): DspVector[] {
  const dir = dspVectorsDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), ...(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Omit<DspVector, 'name'>) }))
    .filter((v) => block === undefined || v.block === block);
}

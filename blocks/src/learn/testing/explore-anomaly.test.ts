import { it } from 'vitest';
import filesBlock from '../../ingest/files/index.js';
import windowBlock from '../../transform/window/index.js';
import spectralBlock from '../../dsp/spectral/index.js';
import { datasetPath } from '../../ingest/shared-datasets.js';
import { runSampleBlock, runSourceBlock } from './run-blocks.js';
import { anomalyParams, anomalyScore, fitAnomaly } from '../anomaly/kmeans.js';
function auc(neg: number[], pos: number[]): number { let s = 0; for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0; return s / (pos.length * neg.length); }
it('explore', { timeout: 300000 }, async () => {
  const recs = await runSourceBlock(filesBlock, { directory: datasetPath('vibration-fan-imbalance'), extensions: ['.csv'], csv: { labelColumn: 'wconfid', groupColumns: ['pctid'], columns: ['x','y','z'], frequencyHz: 50, units: 'g' }, split: { from: 'hash', by: 'sample', testRatio: Number(process.env.TR ?? 0.3), salt: process.env.SALT ?? '' } });
  for (const win of [[2000, 1000]]) {
  const w = await runSampleBlock(windowBlock, { sizeMs: win[0], strideMs: win[1] }, recs);
  for (const sp of [{}, { 'fft-length': 32 }]) {
  const f = await runSampleBlock(spectralBlock, sp, w);
  const per = f[0]!.shape![1]!;
  const sets: Record<string, number[] | undefined> = { rms: [0, per, 2 * per], time: [0, 1, 2, per, per + 1, per + 2, 2 * per, 2 * per + 1, 2 * per + 2], all: undefined };
  const train = f.filter((s) => s.category === 'train' && s.label === '3');
  for (const [name, axes] of Object.entries(sets)) for (const k of [4, 8, 16, 32]) {
    const r: number[] = [];
    for (const seed of [1, 2, 3]) {
      const m = fitAnomaly(train.map((s) => s.values), anomalyParams.parse({ clusters: k, seed, ...(axes ? { axes } : {}) }), null);
      const neg = f.filter((s) => s.category === 'test' && s.label === '3').map((s) => anomalyScore(m, s.values));
      const posT = f.filter((s) => s.category === 'test' && s.label !== '3' && Number(s.id.split('pctid=')[1]!.split('#')[0]) >= Number(process.env.MINSP ?? 0)).map((s) => anomalyScore(m, s.values));
      r.push(auc(neg, posT));
    }
    console.log(`win ${win[0]} sp ${JSON.stringify(sp)} ${name} k=${k} auc ${r.map((v) => v.toFixed(3)).join(' ')}`);
  }
  }}
});

import type { Sample } from '@tinyforge/sdk';
import filesBlock from '../../ingest/files/index.js';
import { datasetAvailable, datasetPath } from '../../ingest/shared-datasets.js';
import relabelBlock from '../../transform/relabel/index.js';
import windowBlock from '../../transform/window/index.js';
import spectralBlock from '../../dsp/spectral/index.js';
import { runSampleBlock, runSourceBlock } from './run-blocks.js';

/**
 * Test fixture: vibration-fan-imbalance (UCI "Accelerometer", 3 weight configurations × 13 fan
 * speeds × 3 000 samples) through the real blocks: ingest/files (one recording per configuration
 * and speed, hash split by recording, i.e. by speed within a configuration), transform/relabel
 * (configuration 3 → balanced, 1 and 2 → unbalanced), transform/window, dsp/spectral-analysis.
 * The sampling rate is not stated in the dataset; 50 Hz as in pipelines/motion.
 */
export const VIBRATION = 'vibration-fan-imbalance';
export const vibrationAvailable = (): boolean => datasetAvailable(VIBRATION);

/** Fan speed (pctid, % of maximum) of a sample or window id, e.g. `accelerometer.csv:wconfid=3,pctid=50#4`. */
export function speedOf(id: string): number {
  const m = /pctid=(\d+)/.exec(id);
  if (!m) throw new Error(`no pctid in ${id}`);
  return Number(m[1]);
}

export async function loadVibrationFeatures(opts: { sizeMs?: number; strideMs?: number; spectral?: object; testRatio?: number } = {}): Promise<Sample[]> {
  const recordings = await runSourceBlock(filesBlock, {
    directory: datasetPath(VIBRATION),
    extensions: ['.csv'],
    csv: { labelColumn: 'wconfid', groupColumns: ['pctid'], columns: ['x', 'y', 'z'], frequencyHz: 50, units: 'g' },
    split: { from: 'hash', by: 'sample', testRatio: opts.testRatio ?? 0.3 },
  });
  const relabelled = await runSampleBlock(relabelBlock, { map: { '1': 'unbalanced', '2': 'unbalanced', '3': 'balanced' } }, recordings);
  const windows = await runSampleBlock(windowBlock, { sizeMs: opts.sizeMs ?? 2000, strideMs: opts.strideMs ?? 1000 }, relabelled);
  return runSampleBlock(spectralBlock, opts.spectral ?? {}, windows);
}

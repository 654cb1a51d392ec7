import type { Sample } from '@tinyforge/sdk';
import filesBlock from '../../ingest/files/index.js';
import { datasetAvailable, datasetPath } from '../../ingest/shared-datasets.js';
import relabelBlock from '../../transform/relabel/index.js';
import windowBlock from '../../transform/window/index.js';
import spectralBlock from '../../dsp/spectral/index.js';
import { runSampleBlock, runSourceBlock } from './run-blocks.js';

/**
 * Test fixture: accel-hapt (UCI HAPT raw waist accelerometer, 50 Hz, 3 axes) through the real
 * blocks — ingest/files (labelled segments cut from labels.csv, split by user), transform/relabel
 * (keeps the six basic activities), transform/window, dsp/spectral-analysis. Only `acc/` is read:
 * the dataset root also holds files.csv, an index that is not a recording (ingest/files has no
 * exclude pattern yet).
 */
export const HAPT = 'accel-hapt';
export const BASIC_ACTIVITIES = ['WALKING', 'WALKING_UPSTAIRS', 'WALKING_DOWNSTAIRS', 'SITTING', 'STANDING', 'LAYING'] as const;

export const haptAvailable = (): boolean => datasetAvailable(HAPT);

export function haptIngestParams(): object {
  const root = datasetPath(HAPT);
  return {
    directory: root,
    extensions: ['.csv'],
    labels: {
      from: 'file',
      file: datasetPath(HAPT, 'labels.csv'),
      labelColumn: 'activity',
      startColumn: 'start_sample',
      endColumn: 'end_sample',
      segmentIndexBase: 1,
      segmentEndInclusive: true,
      segments: 'cut',
    },
    // Every experiment of a user on one side: the test set is users the model never saw.
    split: { by: 'group', groupPattern: 'user(\\d+)', testRatio: 0.25 },
    csv: { frequencyHz: 50, units: 'g' },
    expectFrequencyHz: 50,
  };
}

export interface MotionOptions {
  sizeMs?: number;
  strideMs?: number;
  spectral?: object;
}

/** Windows of the six basic activities as spectral features (with meta.group = user). */
export async function loadHaptFeatures(opts: MotionOptions = {}): Promise<Sample[]> {
  const segments = await runSourceBlock(filesBlock, haptIngestParams(), { include: (rel) => rel.startsWith('acc/') });
  const keep = Object.fromEntries(BASIC_ACTIVITIES.map((a) => [a, a]));
  const basic = await runSampleBlock(relabelBlock, { map: keep, keepUnmapped: false }, segments);
  const windows = await runSampleBlock(windowBlock, { sizeMs: opts.sizeMs ?? 2000, strideMs: opts.strideMs ?? 1000, padZeros: false }, basic);
  return runSampleBlock(spectralBlock, opts.spectral ?? {}, windows);
}

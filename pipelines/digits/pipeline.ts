import { definePipeline } from '@tinyforge/sdk';

/**
 * Spoken digits 0–9 (Free Spoken Digit Dataset subset, CC BY-SA 4.0, ./data): the same audio
 * front end as the KWS demo on a second dataset. Clips are 8 kHz and 0.1–2 s long, so they are
 * resampled to 16 kHz (band-limited) and cropped/padded to 1 s before MFCC. Split by speaker.
 */
export default definePipeline({
  name: 'digits',
  version: '1.0.0',
  blocks: {
    ingest: {
      block: 'ingest/files@1',
      params: {
        directory: 'data',
        extensions: ['.wav'],
        labels: { from: 'pattern', pattern: '(\\d)_[a-z]+_\\d+\\.wav$' },
        split: { from: 'hash', by: 'group', groupPattern: '\\d_([a-z]+)_', testRatio: 0.2, salt: 'fsdd' },
      },
    },
    resample: { block: 'transform/resample@1', params: { frequencyHz: 16000 }, inputs: { samples: 'ingest' } },
    pad: { block: 'transform/crop-pad@1', params: { lengthMs: 1000, align: 'start' }, inputs: { samples: 'resample' } },
    mfcc: { block: 'dsp/mfcc@1', inputs: { samples: 'pad' } },
    classifier: {
      block: 'learn/classifier@1',
      params: { preset: 'ei-conv1d-audio', epochs: 60, learningRate: 0.005, seed: 1 },
      inputs: { features: 'mfcc' },
    },
  },
});

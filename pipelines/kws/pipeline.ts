import { definePipeline } from '@tinyforge/sdk';
// Post-processing for continuous audio, chosen by `tinyforge calibrate pipelines/kws --save`
// (averaging, threshold, suppression tuned for false activations vs missed keywords).
import continuous from './continuous.json';

/**
 * Keyword spotting: yes / no / unknown / silence from 1 s, 16 kHz clips (a Speech Commands
 * subset shipped in ./data). Split by speaker so no voice is on both sides; background noise
 * mixed into training clips; Edge Impulse's default MFCC and 1D-conv network, quantized to int8.
 * The full developer set: --set ingest.directory=../../../shared/datasets/kws-speech-commands
 */
export default definePipeline({
  name: 'kws',
  version: '1.0.0',
  blocks: {
    ingest: {
      block: 'ingest/files@1',
      params: {
        directory: 'data',
        extensions: ['.wav'],
        split: { from: 'hash', by: 'group', groupPattern: '([0-9a-f]{8})_nohash_', testRatio: 0.2 },
      },
    },
    augment: {
      block: 'transform/augment@1',
      params: { noiseDirectory: 'noise', snrDb: [5, 20], timeShiftMs: 100, copies: 1, seed: 1 },
      inputs: { samples: 'ingest' },
    },
    mfcc: { block: 'dsp/mfcc@1', inputs: { samples: 'augment' } },
    classifier: {
      block: 'learn/classifier@1',
      params: { preset: 'ei-conv1d-audio', epochs: 60, learningRate: 0.005, batchSize: 32, validationSplit: 0.2, seed: 1 },
      inputs: { features: 'mfcc' },
    },
  },
  // Generated libraries go to .tinyforge/deploy/kws/<name>/ (set `out` to put them elsewhere).
  deploy: {
    cpp: { target: 'cpp', params: { name: 'kws', continuous } },
    wasm: { target: 'wasm', params: { name: 'kws' } },
    pack: { target: 'cmsis-pack', params: { name: 'kws' } },
    arduino: { target: 'arduino', params: { name: 'kws' } },
  },
});

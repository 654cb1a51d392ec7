import { definePipeline } from '@tinyforge/sdk';

// Spectral analysis (FFT 64) gives per axis: RMS, skewness, kurtosis, spectral skewness and
// kurtosis, then 32 log powers. The anomaly block reads the first three of each axis.
const PER_AXIS = 37;
const perAxis = (offsets: number[]): number[] => [0, 1, 2].flatMap((axis) => offsets.map((o) => axis * PER_AXIS + o));

/**
 * Fan vibration: is the fan balanced or not, from 2 s windows of its tri-axial accelerometer at
 * 50 Hz. Weight configuration 3 behaves as balanced, 1 and 2 are two unbalanced placements
 * (telling 1 from 2 apart is much harder: --set relabel.map='{}' tries it). Data: UCI "Accelerometer"
 * (CC BY 4.0, ./data). Each (configuration, speed) run is one recording; the split is by
 * recording, so test windows come from runs the model never saw.
 * Like an Edge Impulse impulse with a classifier and an anomaly block: a Gaussian mixture learnt
 * from the balanced fan scores how unusual a window is, and both ship in one C++ library
 * (result.classification and result.anomaly from one DSP pass).
 */
export default definePipeline({
  name: 'motion',
  version: '1.0.0',
  blocks: {
    ingest: {
      block: 'ingest/files@1',
      params: {
        directory: 'data',
        extensions: ['.csv'],
        csv: { labelColumn: 'wconfid', groupColumns: ['pctid'], columns: ['x', 'y', 'z'], frequencyHz: 50, units: 'g' },
        split: { from: 'hash', by: 'sample', testRatio: 0.25, salt: 'motion' },
      },
    },
    relabel: { block: 'transform/relabel@1', params: { map: { '1': 'unbalanced', '2': 'unbalanced', '3': 'balanced' } }, inputs: { samples: 'ingest' } },
    window: { block: 'transform/window@1', params: { sizeMs: 2000, strideMs: 1000 }, inputs: { samples: 'relabel' } },
    spectral: { block: 'dsp/spectral-analysis@1', params: { 'fft-length': 64 }, inputs: { samples: 'window' } },
    classifier: {
      block: 'learn/classifier@1',
      params: { preset: 'ei-dense-motion', epochs: 40, learningRate: 0.005, seed: 1 },
      inputs: { features: 'spectral' },
    },
    anomaly: {
      block: 'learn/anomaly@1',
      params: { normalLabels: ['balanced'], method: 'gmm', components: 4, axes: perAxis([0, 1, 2]), logAxes: perAxis([0]) },
      inputs: { features: 'spectral' },
    },
  },
  deploy: {
    cpp: { target: 'cpp', params: { name: 'fan_monitor' } },
  },
});

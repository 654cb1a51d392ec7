import { definePipeline } from '@tinyforge/sdk';

/**
 * Fan anomaly detection: a Gaussian mixture learnt from the balanced fan only (weight
 * configuration 3); windows unlikely under it are anomalies. Same data as ../motion (its data
 * folder is shared, UCI "Accelerometer", CC BY 4.0). The unbalanced configurations are kept in the
 * test category so metrics.json can report how well they separate (ROC AUC).
 *
 * Features: per axis log10 RMS, skewness and kurtosis of the spectral-analysis output (13 values
 * per axis: RMS, skew, kurtosis, spectral skew/kurtosis, 8 FFT bins). Edge Impulse's default
 * (K-means, 32 clusters, every feature) reaches ROC AUC 0.80 here, near chance below 40 % speed;
 * this reaches 0.96 over all speeds (blocks/src/learn/anomaly/vibration.test.ts).
 */
const perAxis = (offsets: number[]): number[] => [0, 1, 2].flatMap((axis) => offsets.map((o) => axis * 13 + o));
export default definePipeline({
  name: 'fan-anomaly',
  version: '1.0.0',
  blocks: {
    ingest: {
      block: 'ingest/files@1',
      params: {
        directory: '../motion/data',
        extensions: ['.csv'],
        csv: { labelColumn: 'wconfid', groupColumns: ['pctid'], columns: ['x', 'y', 'z'], frequencyHz: 50, units: 'g' },
        split: { from: 'hash', by: 'sample', testRatio: 0.3 },
      },
    },
    relabel: { block: 'transform/relabel@1', params: { map: { '1': 'unbalanced', '2': 'unbalanced', '3': 'balanced' } }, inputs: { samples: 'ingest' } },
    window: { block: 'transform/window@1', params: { sizeMs: 2000, strideMs: 1000 }, inputs: { samples: 'relabel' } },
    spectral: { block: 'dsp/spectral-analysis@1', inputs: { samples: 'window' } },
    anomaly: {
      block: 'learn/anomaly@1',
      params: { normalLabels: ['balanced'], method: 'gmm', components: 4, axes: perAxis([0, 1, 2]), logAxes: perAxis([0]) },
      inputs: { features: 'spectral' },
    },
  },
});

import type { BlockRegistration } from '../registration.js';
import { registerBlock } from '../registration.js';

/** Built-in learn blocks. Add one line per block: registerBlock(import.meta.url, './<name>/index.js', {...}). */
export const learnBlocks: readonly BlockRegistration[] = [
  registerBlock(import.meta.url, './classifier/index.js', {
    id: 'learn/classifier',
    version: '1.0.0',
    kind: 'learn',
    description: 'Neural-network classifier (Keras-like layers or EI presets) → float32 + int8 model IR with metrics',
  }),
  registerBlock(import.meta.url, './regression/index.js', {
    id: 'learn/regression',
    version: '1.0.0',
    kind: 'learn',
    description: 'Neural-network regression (numeric labels, MSE/MAE) → float32 + int8 model IR with metrics',
  }),
  registerBlock(import.meta.url, './anomaly/index.js', {
    id: 'learn/anomaly',
    version: '1.2.0',
    kind: 'learn',
    description: 'Anomaly detection on chosen feature axes: K-means (Edge Impulse style, cluster distance minus radius) or a Gaussian mixture (negative log-likelihood)',
  }),
];

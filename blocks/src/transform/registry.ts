import type { BlockRegistration } from '../registration.js';
import { registerBlock } from '../registration.js';

/** Built-in transform blocks. Add one line per block: registerBlock(import.meta.url, './<name>/index.js', {...}). */
export const transformBlocks: readonly BlockRegistration[] = [
  registerBlock(import.meta.url, './relabel/index.js', {
    id: 'transform/relabel', version: '1.0.0', kind: 'transform',
    description: 'Rename, merge or drop labels',
  }),
  registerBlock(import.meta.url, './resample/index.js', {
    id: 'transform/resample', version: '1.0.0', kind: 'transform',
    description: 'Band-limited polyphase resampling (Kaiser-windowed sinc, SciPy resample_poly compatible)',
  }),
  registerBlock(import.meta.url, './window/index.js', {
    id: 'transform/window', version: '1.0.0', kind: 'transform',
    description: 'Sliding windows (size and stride in ms, zero-padding of short samples like Edge Impulse)',
  }),
  registerBlock(import.meta.url, './crop-pad/index.js', {
    id: 'transform/crop-pad', version: '1.0.0', kind: 'transform',
    description: 'Crop or zero-pad every sample to a fixed length',
  }),
  registerBlock(import.meta.url, './normalize/index.js', {
    id: 'transform/normalize', version: '1.0.0', kind: 'transform',
    description: 'Per-sample scaling: constant factor, peak, min-max or z-score',
  }),
  registerBlock(import.meta.url, './augment/index.js', {
    id: 'transform/augment', version: '1.0.0', kind: 'transform',
    description: 'Training-set augmentation: background noise at a random SNR and random time shift, seeded per sample',
  }),
];

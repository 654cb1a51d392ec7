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
];

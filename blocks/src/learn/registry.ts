import type { BlockRegistration } from '../registration.js';

/** Built-in learn blocks. Add one line per block: registerBlock(import.meta.url, './<name>/index.js', {...}). */
export const learnBlocks: readonly BlockRegistration[] = [];

import type { BlockRegistration } from './registration.js';
import { ingestBlocks } from './ingest/registry.js';
import { transformBlocks } from './transform/registry.js';
import { dspBlocks } from './dsp/registry.js';
import { learnBlocks } from './learn/registry.js';

/** Every built-in block, listed lazily. */
export const builtinBlocks: readonly BlockRegistration[] = [
  ...ingestBlocks,
  ...transformBlocks,
  ...dspBlocks,
  ...learnBlocks,
];

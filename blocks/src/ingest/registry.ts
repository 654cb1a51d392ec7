import type { BlockRegistration } from '../registration.js';
import { registerBlock } from '../registration.js';

/** Built-in ingest blocks. Add one line per block: registerBlock(import.meta.url, './<name>/index.js', {...}). */
export const ingestBlocks: readonly BlockRegistration[] = [
  registerBlock(import.meta.url, './files/index.js', {
    id: 'ingest/files',
    version: '1.1.0',
    kind: 'ingest',
    description: 'Folder of WAV, CSV, Edge Impulse JSON/CBOR documents and PNG/JPEG images → dataset (labels, split, segments)',
  }),
];

import { fileURLToPath } from 'node:url';
import { defineContainerBlock, type BlockParamsInput } from '@tinyforge/sdk';
import { z } from 'zod';

export const params = z.object({
  gain: z.number().default(1).describe('Every value is multiplied by this'),
});

/**
 * Multiplies every value by a gain, in a container (Edge Impulse transformation block contract). The runner builds ../../docker/Dockerfile on first use (the image ID
 * enters the cache key), mounts the input read-only and passes params as --<name> <value>.
 */
const block = defineContainerBlock({
  id: 'boxed',
  version: '1.0.0',
  apiVersion: 1,
  kind: 'transform',
  description: 'Multiplies every value by a gain, in a container (Edge Impulse transformation block contract)',
  params,
  inputs: { samples: 'dataset' },
  outputs: { samples: 'dataset' },
  runtime: {
    // dist/src/index.js → the package's docker/ folder
    context: fileURLToPath(new URL('../../docker/', import.meta.url)),
    dockerfile: 'Dockerfile',
    protocol: 'edge-impulse-transform',
    operatesOn: 'directory',
    limits: { timeoutSec: 600, memoryMb: 1024 },
  },
});

export default block;

// Typed pipelines: with this package's types loaded, `block: 'boxed@1'` gets its params checked by tsc.
declare module '@tinyforge/sdk' {
  interface BlockRegistry {
    'boxed@1': BlockParamsInput<typeof block>;
  }
}

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkBlockDeclaration } from '@tinyforge/sdk';
import { loadRegisteredBlock } from '../registration.js';
import { ingestBlocks } from './registry.js';
import { transformBlocks } from '../transform/registry.js';

describe('ingest and transform registries', () => {
  for (const reg of [...ingestBlocks, ...transformBlocks]) {
    it(`${reg.id} loads, matches its registration and publishes a JSON Schema`, async () => {
      const block = await loadRegisteredBlock(reg);
      expect(block.id).toBe(reg.id);
      expect(block.version).toBe(reg.version);
      expect(block.kind).toBe(reg.kind);
      expect(checkBlockDeclaration(block)).toEqual([]);
      const schema = z.toJSONSchema(block.params, { io: 'input' }) as { type?: string };
      expect(schema.type).toBe('object');
    });
  }
});

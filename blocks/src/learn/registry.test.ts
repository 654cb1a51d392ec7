import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkBlockDeclaration } from '@tinyforge/sdk';
import { loadRegisteredBlock } from '../registration.js';
import { learnBlocks } from './registry.js';

describe('learn registry', () => {
  it('lists classifier, regression and anomaly', () => {
    expect(learnBlocks.map((b) => b.id)).toEqual(['learn/classifier', 'learn/regression', 'learn/anomaly']);
  });
  for (const reg of learnBlocks) {
    it(`${reg.id} loads, matches its registration and publishes a JSON Schema`, async () => {
      const block = await loadRegisteredBlock(reg);
      expect(block.id).toBe(reg.id);
      expect(block.version).toBe(reg.version);
      expect(block.kind).toBe(reg.kind);
      expect(block.description).toBe(reg.description);
      expect(checkBlockDeclaration(block)).toEqual([]);
      const schema = z.toJSONSchema(block.params, { io: 'input' }) as { type?: string };
      expect(schema.type).toBe('object');
    });
  }
});

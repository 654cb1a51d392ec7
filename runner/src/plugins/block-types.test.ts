import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { builtinBlocks } from '@tinyforge/blocks';
import { builtinBlockTypesSource } from './block-types.js';

const COMMITTED = fileURLToPath(new URL('../../../blocks/src/block-types.ts', import.meta.url));

describe('typed pipeline params for built-in blocks', () => {
  test('blocks/src/block-types.ts declares every built-in block and matches the registry', async () => {
    const generated = await builtinBlockTypesSource();
    if (process.env.TINYFORGE_UPDATE_TYPES === '1') writeFileSync(COMMITTED, generated);
    expect(existsSync(COMMITTED)).toBe(true);
    expect(readFileSync(COMMITTED, 'utf8'), 'blocks/src/block-types.ts is stale: TINYFORGE_UPDATE_TYPES=1 npx vitest run runner/src/plugins/block-types.test.ts').toBe(generated);
    for (const b of builtinBlocks) expect(generated).toContain(`'${b.id}@${b.version.split('.')[0]}'`);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryFileSet, runWholeBlock } from '@tinyforge/sdk/testing';
import block from '../src/index.js';

test('every model file becomes a C array with its length', async () => {
  const model = memoryFileSet({ 'model.bin': new Uint8Array([0, 1, 254, 255]) });
  const { outputs } = await runWholeBlock(block, { model }, { symbol: 'kws' });
  const header = outputs.bundle.files.get('kws.h')!.toString('utf8');
  assert.match(header, /const unsigned char kws_model_bin\[4\] = \{\n  0x00, 0x01, 0xfe, 0xff,\n\};/);
  assert.match(header, /kws_model_bin_len = 4;/);
});

test('a symbol that is not a C identifier is refused', async () => {
  await assert.rejects(runWholeBlock(block, { model: memoryFileSet({}) }, { symbol: '1x' }), /symbol/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose, makeSample, runSampleBlock } from '@tinyforge/sdk/testing';
import block from '../src/index.js';

const sensors = [{ name: 'x', units: 'g' }, { name: 'y', units: 'g' }];

test('mean and RMS per axis of interleaved frames', async () => {
  // frames (x, y): (1, 0), (3, -4), (-1, 4), (1, 0)
  const input = makeSample({ values: [1, 0, 3, -4, -1, 4, 1, 0], sensors });
  const { samples, meta } = await runSampleBlock(block, [input], {}, { inputMeta: { frequency: 100 } });
  assert.deepEqual(samples[0]!.shape, [2, 2]);
  assertClose(samples[0]!.values, [1, Math.sqrt(3), 0, Math.sqrt(8)]);
  assert.equal((meta.dsp as { block: string }).block, 'stats');
});

test('scale multiplies before the statistics', async () => {
  const { samples } = await runSampleBlock(block, [makeSample({ values: [2, 2, 2, 2], sensors: [sensors[0]!] })], { scale: 0.5 });
  assertClose(samples[0]!.values, [1, 1]);
});

test('emitC declares the sizes the device buffers need', () => {
  const emission = block.emitC!({ scale: 1 }, { frames: 50, axes: 3 });
  assert.equal(emission.inputSize, 150);
  assert.equal(emission.outputSize, 6);
  assert.match(emission.header, /_OUTPUT_SIZE 6/);
});

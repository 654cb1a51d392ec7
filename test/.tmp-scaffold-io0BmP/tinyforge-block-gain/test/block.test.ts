import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose, makeSample, runSampleBlock } from '@tinyforge/sdk/testing';
import block from '../src/index.js';

test('multiplies every value by the gain', async () => {
  const input = makeSample({ id: 'a.csv#0', values: [1, -2, 3.5, 0] });
  const { samples } = await runSampleBlock(block, [input], { gain: 2 });
  assert.equal(samples.length, 1);
  assert.equal(samples[0]!.id, 'a.csv#0');
  assertClose(samples[0]!.values, [2, -4, 7, 0]);
});

test('the default gain leaves values as they are', async () => {
  const { samples, params } = await runSampleBlock(block, [makeSample({ values: [0.25, 4] })]);
  assert.equal(params.gain, 1);
  assertClose(samples[0]!.values, [0.25, 4]);
});

test('bad params are refused by the schema', async () => {
  await assert.rejects(runSampleBlock(block, [makeSample({ values: [1] })], { gain: 'two' }), /gain/);
  await assert.rejects(runSampleBlock(block, [makeSample({ values: [1] })], { gian: 2 }), /has no param "gian"/);
});

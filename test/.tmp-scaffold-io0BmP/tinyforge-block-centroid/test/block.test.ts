import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeSample, memorySampleSet, runWholeBlock } from '@tinyforge/sdk/testing';
import block from '../src/index.js';

test('centroids are the mean training feature vector per label; test samples are ignored', async () => {
  const features = memorySampleSet(
    [
      makeSample({ id: 'a1', label: 'a', values: [1, 2] }),
      makeSample({ id: 'a2', label: 'a', values: [3, 4] }),
      makeSample({ id: 'b1', label: 'b', values: [-1, 0] }),
      makeSample({ id: 'b2', label: 'b', values: [100, 100], category: 'test' }),
    ],
    {},
    'features',
  );
  const { outputs, logs } = await runWholeBlock(block, { features }, {});
  const centroids = JSON.parse(outputs.model.files.get('centroids.json')!.toString('utf8'));
  assert.deepEqual(centroids, { a: [2, 3], b: [-1, 0] });
  assert.deepEqual(outputs.model.meta.labels, ['a', 'b']);
  assert.ok(logs.some((l) => l.message === '2 labels'));
});

test('a label with too few samples fails', async () => {
  const features = memorySampleSet([makeSample({ id: 'a1', label: 'a', values: [1] })], {}, 'features');
  await assert.rejects(runWholeBlock(block, { features }, { minSamplesPerLabel: 2 }), /fewer than 2/);
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseBlockParams } from '@tinyforge/sdk/testing';
import block from '../src/index.js';

const dockerDir = fileURLToPath(new URL('../../docker/', import.meta.url));

test('the declaration points at a Dockerfile and parses params', () => {
  assert.ok(block.runtime && existsSync(join(block.runtime.context!, 'Dockerfile')));
  assert.equal(parseBlockParams(block, {}).gain, 1);
  assert.throws(() => parseBlockParams(block, { gain: 'x' }), /gain/);
});

// The container's script runs under plain node too: test its logic without Docker.
test('the container script scales every sample of the input directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'boxed-test-'));
  try {
    const inDir = join(dir, 'in');
    const outDir = join(dir, 'out');
    mkdirSync(inDir);
    mkdirSync(outDir);
    const doc = { protected: { ver: 'v1', alg: 'none' }, signature: '0', payload: { interval_ms: 10, sensors: [{ name: 'x', units: 'g' }], values: [[1], [2.5], [-3]] } };
    writeFileSync(join(inDir, 'a.json'), JSON.stringify(doc));
    writeFileSync(join(inDir, 'info.labels'), JSON.stringify({ version: 1, files: [{ path: 'a.json', category: 'training', label: { type: 'label', label: 'idle' } }] }));
    execFileSync(process.execPath, [join(dockerDir, 'transform.mjs'), '--in-directory', inDir, '--out-directory', outDir, '--gain', '2']);
    const out = JSON.parse(readFileSync(join(outDir, 'a.json'), 'utf8'));
    assert.deepEqual(out.payload.values, [[2], [5], [-6]]);
    assert.ok(existsSync(join(outDir, 'info.labels')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

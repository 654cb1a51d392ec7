import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEdgeImpulseBlock } from './edge-impulse-block.js';

const FIXTURE = join(import.meta.dirname, '../../../test/fixtures/docker/py-dsp');

/** The DSP test fixture with its parameters.json `info` changed by `edit`. */
function fixtureWith(edit: (info: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'tinyforge-ei-block-'));
  cpSync(FIXTURE, dir, { recursive: true });
  const file = JSON.parse(readFileSync(join(dir, 'parameters.json'), 'utf8')) as { info: Record<string, unknown> };
  edit(file.info);
  writeFileSync(join(dir, 'parameters.json'), JSON.stringify(file));
  return dir;
}

describe('Edge Impulse DSP blocks and per-sample caching', () => {
  it('are perSample (cached per sample, run over uncached samples only)', async () => {
    expect((await loadEdgeImpulseBlock(fixtureWith(() => {}))).perSample).toBe(true);
  });
  it('are not when parameters.json says usesState: every run then needs every sample', async () => {
    expect((await loadEdgeImpulseBlock(fixtureWith((info) => (info['usesState'] = true)))).perSample).toBe(false);
  });
});

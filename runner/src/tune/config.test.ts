import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { findTuneFile, loadTuneConfig } from './config.js';
import { rungFidelities } from './search.js';

const dir = mkdtempSync(join(tmpdir(), 'tf-tune-config-'));

describe('tune config', () => {
  test('tune.ts (default export) with defaults filled in; found beside the pipeline', async () => {
    writeFileSync(join(dir, 'tune.ts'), `const widths = [8, 16];\nexport default { space: { 'classifier.epochs': widths.map((w) => w * 2) }, constraints: { ramBytes: 8192 } };\n`);
    expect(findTuneFile(dir)).toBe(join(dir, 'tune.ts'));
    const c = await loadTuneConfig(join(dir, 'tune.ts'));
    expect(c.space).toEqual({ 'classifier.epochs': [16, 32] });
    expect(c.constraints).toMatchObject({ ramBytes: 8192, clockMhz: 80, cyclesPerInstruction: 1 });
    expect(c.strategy).toBe('hyperband');
    expect(c.rankOn).toBe('validation');
  });

  test('bad paths and empty candidate lists are config errors naming the field', async () => {
    const f = join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ space: { nodot: [1] } }));
    await expect(loadTuneConfig(f)).rejects.toThrow(/block>\.<param>/);
    writeFileSync(f, JSON.stringify({ space: { 'mfcc.num_filters': [] } }));
    await expect(loadTuneConfig(f)).rejects.toMatchObject({ path: expect.stringContaining('num_filters') });
    writeFileSync(f, JSON.stringify({ space: { 'a.b': [1] }, fidelity: { min: 50, max: 10 } }));
    await expect(loadTuneConfig(f)).rejects.toThrow(/min \(50\) is above max \(10\)/);
  });

  test('successive-halving rungs: min, min·eta, … up to max', async () => {
    const f = join(dir, 'r.json');
    writeFileSync(f, JSON.stringify({ space: { 'a.b': [1] }, fidelity: { min: 10, max: 60, eta: 3 } }));
    const c = await loadTuneConfig(f);
    expect(rungFidelities(c)).toEqual([10, 30, 60]);
    expect(rungFidelities({ ...c, strategy: 'random' })).toEqual([60]);
    expect(rungFidelities({ ...c, fidelity: undefined })).toEqual([null]);
  });
});

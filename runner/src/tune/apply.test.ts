import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { applyParams } from './apply.js';

const dir = mkdtempSync(join(tmpdir(), 'tf-apply-'));

describe('tune apply rewrites only the params', () => {
  test('TypeScript: comments and other code kept', async () => {
    const file = join(dir, 'pipeline.ts');
    writeFileSync(file, `import { definePipeline } from '@tinyforge/sdk';\n\n// keep me\nexport default definePipeline({\n  name: 'k',\n  blocks: {\n    mfcc: { block: 'dsp/mfcc@1', params: { num_filters: 32 } }, // and me\n    classifier: { block: 'learn/classifier@1', inputs: { features: 'mfcc' } },\n  },\n});\n`);
    await applyParams(file, { 'mfcc.num_filters': 20, 'classifier.epochs': 30, 'classifier.layers': [{ type: 'flatten' }] });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('// keep me');
    expect(text).toContain('// and me');
    expect(text).toMatch(/num_filters: 20/);
    expect(text).toMatch(/epochs: 30/);
    expect(text).toMatch(/type: ["']flatten["']/);
    expect(text).toContain("import { definePipeline } from '@tinyforge/sdk';");
  });

  test('YAML keeps comments; JSON keeps indentation; unknown block is an error', async () => {
    const y = join(dir, 'pipeline.yaml');
    writeFileSync(y, `name: k\n# the DSP\nblocks:\n  mfcc:\n    block: dsp/mfcc@1\n    params:\n      num_filters: 32 # filters\n`);
    await applyParams(y, { 'mfcc.num_filters': 40 });
    expect(readFileSync(y, 'utf8')).toBe(`name: k\n# the DSP\nblocks:\n  mfcc:\n    block: dsp/mfcc@1\n    params:\n      num_filters: 40 # filters\n`);
    const j = join(dir, 'pipeline.json');
    writeFileSync(j, JSON.stringify({ name: 'k', blocks: { mfcc: { block: 'dsp/mfcc@1' } } }, null, 4) + '\n');
    await applyParams(j, { 'mfcc.frame_length': 0.025 });
    expect(JSON.parse(readFileSync(j, 'utf8')).blocks.mfcc.params).toEqual({ frame_length: 0.025 });
    expect(readFileSync(j, 'utf8')).toContain('\n    "blocks"');
    await expect(applyParams(j, { 'nope.x': 1 })).rejects.toThrow(/no block "nope"/);
  });
});

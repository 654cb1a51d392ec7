import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createSliceProject, runJson, slicePipeline, writePipeline } from '../support/slice-project.js';

/**
 * A deploy target whose output depends on a toolchain (here its "version" comes from an env var,
 * standing in for `arm-none-eabi-gcc --version`): its identity() enters the deploy key, so a
 * toolchain change rebuilds the bundle instead of serving figures made with the old one.
 */
function writeToolchainTarget(project: string): void {
  const dir = join(project, 'node_modules', 'tinyforge-target-toolchain-probe');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'target.mjs'),
    `import { defineTarget } from '@tinyforge/sdk';
import { z } from 'zod';
const toolchain = () => process.env.PROBE_TOOLCHAIN ?? 'none';
export default defineTarget({
  id: 'toolchain-probe', version: '1.0.0', apiVersion: 1, params: z.object({}),
  identity: () => ({ compiler: toolchain() }),
  async emit(ctx) { await ctx.output.writeJson('estimate.json', { builtWith: toolchain() }); },
});
`,
  );
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'tinyforge-target-toolchain-probe', version: '1.0.0', type: 'module', keywords: ['tinyforge-target'], tinyforge: { targets: [{ id: 'toolchain-probe', version: '1.0.0', module: './target.mjs' }] } }, null, 2),
  );
}

/** A local learn block that can classify (nearest label mean), so the pipeline can deploy. */
function writeMeanClassifier(project: string): void {
  mkdirSync(join(project, 'blocks'), { recursive: true });
  writeFileSync(
    join(project, 'blocks/mean-classifier.mjs'),
    `import { defineBlock } from '@tinyforge/sdk';
import { z } from 'zod';
const mean = (values) => values.reduce((a, v) => a + v, 0) / Math.max(1, values.length);
export default defineBlock({
  id: 'local/mean-classifier', version: '1.0.0', apiVersion: 1, kind: 'learn', params: z.object({}),
  inputs: { samples: 'dataset' }, outputs: { model: 'model' }, granularity: 'whole',
  run: async (ctx) => {
    const sums = {};
    for await (const s of ctx.inputs.samples) (sums[s.label] ??= []).push(mean(s.values));
    await ctx.outputs.model.writeJson('means.json', Object.fromEntries(Object.entries(sums).sort().map(([k, v]) => [k, mean(v)])));
  },
  loadPredictor: async (model) => {
    const means = await model.readJson('means.json');
    const labels = Object.keys(means);
    return { labels, precision: 'float32', predict: (f) => { const m = mean(f); return { scores: Float32Array.from(labels, (l) => -Math.abs(means[l] - m)) }; } };
  },
});
`,
  );
}

describe('deploy keys', () => {
  test("a target's identity (toolchain versions) is part of the deploy key", async () => {
    const dir = createSliceProject();
    writeToolchainTarget(dir);
    writeMeanClassifier(dir);
    const pipeline = slicePipeline() as { blocks: Record<string, { block: string }> };
    pipeline.blocks.summary!.block = './blocks/mean-classifier.mjs';
    writePipeline(dir, { ...pipeline, deploy: { lib: { target: 'toolchain-probe' } } });
    const status = (m: { blocks: { name: string; status: string }[] }) => m.blocks.find((b) => b.name === 'deploy:lib')?.status;

    const first = await runJson(dir, [], { ...process.env, PROBE_TOOLCHAIN: 'gcc 13.2' });
    expect(first.result.code, first.result.stderr).toBe(0);
    expect(status(first.manifest)).toBe('ran');
    expect(status((await runJson(dir, [], { ...process.env, PROBE_TOOLCHAIN: 'gcc 13.2' })).manifest)).toBe('cached');
    const upgraded = await runJson(dir, [], { ...process.env, PROBE_TOOLCHAIN: 'gcc 14.1' });
    expect(status(upgraded.manifest)).toBe('ran');
    // Learn and everything before it did not change.
    expect(upgraded.manifest.blocks.filter((b) => !b.name.startsWith('deploy:')).map((b) => b.status)).toEqual(['cached', 'cached', 'cached']);
  });
});

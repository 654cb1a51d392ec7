import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createSliceProject, runCli, runJson, slicePipeline, writePipeline } from '../support/slice-project.js';

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
  async emit(ctx) {
    await ctx.output.writeJson('estimate.json', { builtWith: toolchain() });
    // What the target was handed besides the classifier: the anomaly model, if any.
    if (ctx.anomaly) await ctx.output.writeFile('anomaly.json', await ctx.anomaly.readFile('anomaly.json'));
  },
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

/** A local anomaly block: distance of the sample mean from the train mean (meta task: anomaly). */
function writeMeanAnomaly(project: string): void {
  writeFileSync(
    join(project, 'blocks/mean-anomaly.mjs'),
    `import { defineBlock } from '@tinyforge/sdk';
import { z } from 'zod';
export default defineBlock({
  id: 'local/mean-anomaly', version: '1.0.0', apiVersion: 1, kind: 'learn', params: z.object({}),
  inputs: { samples: 'dataset' }, outputs: { model: 'model' }, granularity: 'whole',
  run: async (ctx) => {
    let sum = 0, n = 0;
    for await (const s of ctx.inputs.samples) for (const v of s.values) { sum += v; n++; }
    await ctx.outputs.model.writeJson('anomaly.json', { center: sum / n });
    ctx.outputs.model.setMeta({ task: 'anomaly' });
  },
});
`,
  );
}

/** A slice project with the probe target and a classifier that can deploy (its pipeline not written yet). */
function classifierProject(): { dir: string; pipeline: Record<string, unknown> } {
  const dir = createSliceProject();
  writeToolchainTarget(dir);
  writeMeanClassifier(dir);
  return { dir, pipeline: classifierPipeline() };
}

/** The slice pipeline with the mean classifier as its `summary` block. */
function classifierPipeline(): { blocks: Record<string, unknown> } {
  const pipeline = slicePipeline() as { blocks: Record<string, unknown> };
  pipeline.blocks.summary = { block: './blocks/mean-classifier.mjs', inputs: { samples: 'scale' } };
  return pipeline;
}

function anomalyPipeline(deploy: Record<string, unknown>): Record<string, unknown> {
  const pipeline = classifierPipeline();
  pipeline.blocks.outliers = { block: './blocks/mean-anomaly.mjs', inputs: { samples: 'scale' } };
  return { ...pipeline, deploy: { lib: { target: 'toolchain-probe', ...deploy } } };
}

describe('deploy keys and inputs', () => {
  test("a target's identity (toolchain versions) is part of the deploy key", async () => {
    const { dir, pipeline } = classifierProject();
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

  test('an anomaly block reading the same features as the classifier is deployed with it (found, named, or off)', async () => {
    const { dir } = classifierProject();
    writeMeanAnomaly(dir);
    const deployed = (m: { blocks: { name: string }[] }) => (m.blocks.find((b) => b.name === 'deploy:lib') as unknown as { deployedTo: string }).deployedTo;

    writePipeline(dir, anomalyPipeline({}));
    const found = await runJson(dir);
    expect(found.result.code, found.result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(deployed(found.manifest), 'anomaly.json'), 'utf8'))).toHaveProperty('center');

    writePipeline(dir, anomalyPipeline({ anomaly: false }));
    const off = await runJson(dir);
    expect(off.result.code, off.result.stderr).toBe(0);
    expect(existsSync(join(deployed(off.manifest), 'anomaly.json'))).toBe(false);

    writePipeline(dir, anomalyPipeline({ anomaly: 'outliers' }));
    expect(existsSync(join(deployed((await runJson(dir)).manifest), 'anomaly.json'))).toBe(true);

    // A name that is not a block, or a block fed other features: plan-time errors naming the field.
    writePipeline(dir, anomalyPipeline({ anomaly: 'outlier' }));
    const typo = await runCli(['run', dir]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/deploy\.lib\.anomaly.*"outlier" is not a block of this pipeline/);
    const elsewhere = anomalyPipeline({ anomaly: 'outliers' }) as { blocks: Record<string, { inputs?: Record<string, string> }> };
    elsewhere.blocks.outliers!.inputs = { samples: 'ingest' };
    writePipeline(dir, elsewhere);
    const mismatch = await runCli(['run', dir]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/"outliers" must read the same features as "summary"/);
    expect(mismatch.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  test('deployments run side by side, in config order, and two may not share an out folder', async () => {
    const { dir, pipeline } = classifierProject();
    const deploy = { b: { target: 'toolchain-probe', out: 'out/b' }, a: { target: 'toolchain-probe', out: 'out/a' } };
    writePipeline(dir, { ...pipeline, deploy });
    const ok = await runJson(dir);
    expect(ok.result.code, ok.result.stderr).toBe(0);
    expect(ok.manifest.blocks.filter((b) => b.name.startsWith('deploy:')).map((b) => `${b.name} ${b.status}`)).toEqual(['deploy:b ran', 'deploy:a ran']);
    expect(existsSync(join(dir, 'out/a/estimate.json')) && existsSync(join(dir, 'out/b/estimate.json'))).toBe(true);

    writePipeline(dir, { ...pipeline, deploy: { ...deploy, c: { target: 'toolchain-probe', out: './out/b/' } } });
    const clash = await runCli(['run', dir]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/deploy\.c\.out.*the folder deployment "b" writes to/);
    // The first of the two still deploys.
    expect(existsSync(join(dir, 'out/b/estimate.json'))).toBe(true);
  });
});

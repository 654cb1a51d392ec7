import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createNodes, createNodesV2, PIPELINE_GLOB } from './index.js';

function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'tinyforge-nx-unit-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

const run = async (root: string, files: string[], options?: Record<string, unknown>) => createNodesV2[1](files, options, { nxJsonConfiguration: {}, workspaceRoot: root });

describe('createNodesV2', () => {
  test('one project per pipeline folder, deterministic, no absolute paths', async () => {
    const files = {
      'pipelines/kws/pipeline.ts': "export default definePipeline({ name: 'kws', env: ['KWS_SEED', 'ACCEL'], blocks: {} });",
      'pipelines/gestures/pipeline.yaml': 'name: gestures\nenv: [SENSOR_RATE]\nblocks: {}\n',
      'package.json': JSON.stringify({ devDependencies: { '@tinyforge/runner': '0.1.0', 'tinyforge-block-slice': '1.0.0', vitest: '4' } }),
      'package-lock.json': '{}',
    };
    const root = workspace(files);
    const list = ['pipelines/kws/pipeline.ts', 'pipelines/gestures/pipeline.yaml'];
    const first = await run(root, list);
    const second = await run(workspace(files), list);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(JSON.stringify(first)).not.toContain(root);
    expect(JSON.stringify(first)).not.toContain(tmpdir());
    const kws = first.find(([file]) => file === 'pipelines/kws/pipeline.ts')![1].projects!['pipelines/kws']!;
    expect(kws.name).toBe('kws');
    expect(Object.keys(kws.targets!)).toEqual(['run', 'test', 'deploy']);
    expect(kws.targets!.run!.options.command).toBe('mkdir -p dist/tinyforge/kws && npx tinyforge run pipelines/kws --json > dist/tinyforge/kws/run.json');
    expect(kws.targets!.run!.inputs).toEqual([
      '{projectRoot}/**/*',
      '{projectRoot}/tinyforge.lock',
      '{workspaceRoot}/tinyforge.config.json',
      { externalDependencies: ['@tinyforge/runner', 'tinyforge-block-slice'] },
      { env: 'ACCEL' },
      { env: 'KWS_SEED' },
    ]);
    expect(kws.targets!.test!.dependsOn).toEqual(['run']);
    const gestures = first.find(([file]) => file.includes('gestures'))![1].projects!['pipelines/gestures']!;
    expect(gestures.targets!.run!.inputs).toContainEqual({ env: 'SENSOR_RATE' });
  });

  test('without a lockfile no external dependencies are named (Nx would not know them); options rename targets', async () => {
    const root = workspace({ 'pipelines/a/pipeline.json': JSON.stringify({ name: 'a', blocks: {} }), 'package.json': JSON.stringify({ dependencies: { '@tinyforge/runner': '0.1.0' } }) });
    const [[, result]] = (await run(root, ['pipelines/a/pipeline.json'], { runTargetName: 'pipeline', projectNamePrefix: 'tf-', cli: 'tinyforge' })) as [[string, { projects: Record<string, { name: string; targets: Record<string, { inputs?: unknown[]; options: { command: string }; dependsOn?: string[] }> }> }]];
    const project = result.projects['pipelines/a']!;
    expect(project.name).toBe('tf-a');
    expect(Object.keys(project.targets)).toEqual(['pipeline', 'test', 'deploy']);
    expect(project.targets.pipeline!.inputs!.some((i) => typeof i === 'object' && 'externalDependencies' in (i as object))).toBe(false);
    expect(project.targets.test!.dependsOn).toEqual(['pipeline']);
    expect(project.targets.pipeline!.options.command).toContain('tinyforge run pipelines/a');
  });

  test('the glob is narrow and createNodes aliases createNodesV2', () => {
    expect(PIPELINE_GLOB).toBe('**/pipelines/*/pipeline.{ts,json,yaml,yml}');
    expect(createNodes).toBe(createNodesV2);
  });
});

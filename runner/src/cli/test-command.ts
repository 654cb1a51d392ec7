import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join, relative, resolve } from 'node:path';
import { TinyforgeError, type SourceBlock } from '@tinyforge/sdk';
import { loadPipeline } from '../config/load-pipeline.js';
import { catalogFor } from '../plan/catalog-for.js';
import { planPipeline, type Plan } from '../plan/plan-pipeline.js';
import { loadImpulse } from '../impulse/load-impulse.js';
import { loadTestCases, testCaseDocument, TEST_CASE_DIR } from '../testing/test-cases.js';
import { runTestCases, type TestReport } from '../testing/run-test-cases.js';
import { testTargets, type TestTarget } from '../testing/test-targets.js';
import { findStateRoot } from '../store/open-store.js';
import { sha256 } from '../util/hash.js';
import { atomicWrite } from '../util/atomic-write.js';

async function planOf(target: string): Promise<Plan> {
  const pipeline = await loadPipeline(target);
  return planPipeline(pipeline, catalogFor(pipeline.dir));
}

export function chooseTargets(spec: string | undefined): TestTarget[] {
  const names = !spec || spec === 'ts' ? ['ts'] : spec === 'all' ? [...testTargets.keys()] : ['ts', ...spec.split(',').filter((n) => n !== 'ts')];
  return names.map((name) => {
    const t = testTargets.get(name);
    if (!t) throw new TinyforgeError({ code: 'USAGE', path: '--target', message: `unknown target "${name}"`, expected: [...testTargets.keys(), 'all'].join(', ') });
    return t;
  });
}

/** `tinyforge test <pipeline>`: every stored test case through every chosen target. */
export async function testCommand(target: string, options: { target?: string; json?: boolean; block?: string }): Promise<number> {
  const plan = await planOf(target);
  const cases = await loadTestCases(plan.pipeline.dir);
  if (cases.length === 0) {
    throw new TinyforgeError({ code: 'USAGE', file: join(plan.pipeline.dir, TEST_CASE_DIR), message: 'no test cases', hint: `record one: tinyforge test add ${target} <sample-file> --label <label>` });
  }
  const impulse = await loadImpulse(plan, options.block);
  // `all` means every target that can run here; under CI a target that cannot is a failure.
  const skipUnavailable = options.target === 'all' && process.env.CI !== 'true';
  const report = await runTestCases(impulse, cases, chooseTargets(options.target), { skipUnavailable });
  const resultsDir = join(findStateRoot(plan.pipeline.dir), 'test-results');
  await mkdir(resultsDir, { recursive: true });
  await atomicWrite(join(resultsDir, `${plan.pipeline.config.name}.json`), JSON.stringify(report, null, 2), { fsync: false });
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else printReport(report);
  return report.failed === 0 ? 0 : 1;
}

function printReport(report: TestReport): void {
  for (const c of report.cases) {
    const cells = report.targets.map((t) => {
      const r = c.targets[t];
      return r ? `${t}: ${r.pass ? 'ok' : 'FAIL'} ${r.got ?? '-'} ${(100 * r.confidence).toFixed(0)}%${r.reason && !r.pass ? ` (${r.reason})` : ''}` : `${t}: -`;
    });
    process.stdout.write(`${c.pass ? '✔' : '✖'} ${c.name} [expected ${c.expected.label}] ${cells.join('  ')}\n`);
  }
  for (const [name, why] of Object.entries(report.skippedTargets ?? {})) process.stdout.write(`skipped target ${name}: ${why}\n`);
  process.stdout.write(`\ntest cases: ${report.passed} passed, ${report.failed} failed (targets: ${report.targets.join(', ')})\n`);
}

/** `tinyforge test add <pipeline> <sample-file> --label L`: records a sample as a test case. */
export async function testAddCommand(target: string, sampleFile: string, options: { label: string; minConfidence?: number; name?: string }): Promise<number> {
  const plan = await planOf(target);
  const impulse = await loadImpulse(plan);
  const sample = await readWithIngest(plan, impulse.source.block as SourceBlock, impulse.source.params, resolve(sampleFile));
  const expected = options.minConfidence === undefined ? { label: options.label } : { label: options.label, minConfidence: options.minConfidence };
  const document = testCaseDocument(sample, expected);
  const name = options.name ?? `${options.label}-${basename(sampleFile, extname(sampleFile))}-${sha256(document).slice(0, 8)}`;
  const out = join(plan.pipeline.dir, TEST_CASE_DIR, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  await mkdir(join(plan.pipeline.dir, TEST_CASE_DIR), { recursive: true });
  await atomicWrite(out, document, { fsync: true });
  process.stdout.write(`recorded test case ${relative(process.cwd(), out)} (expected ${options.label})\n`);
  return 0;
}

/** Reads one file the way the pipeline's ingest block reads its data, so test cases match training. */
export async function readWithIngest(plan: Plan, block: SourceBlock, params: unknown, file: string) {
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch {
    throw new TinyforgeError({ code: 'BAD_INPUT', file, message: 'cannot read the sample file' });
  }
  const state = block.prepare?.(params as never, { pipelineDir: plan.pipeline.dir });
  const samples = await block.readSource({ path: file, relPath: basename(file), digest: sha256(content), size: content.length }, content, { params: params as never, state, pipelineDir: plan.pipeline.dir });
  if (samples.length !== 1) throw new TinyforgeError({ code: 'BAD_INPUT', file, message: `the ingest block made ${samples.length} samples of this file; a test case is one sample` });
  return samples[0]!;
}

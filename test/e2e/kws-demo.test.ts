import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, runCli, type ManifestJson } from '../support/slice-project.js';
import { CHROMIUM, CHROMIUM_ARGS, browserAvailable } from '../support/browser.js';

// The README's demo: the shipped KWS pipeline end to end, on a copy (so test cases can be added)
// with a private state folder.
const home = mkdtempSync(join(tmpdir(), 'tinyforge-kws-'));
const env = { TINYFORGE_HOME: join(home, 'state') };
const pipeline = join(home, 'kws');
cpSync(join(REPO_ROOT, 'pipelines/kws'), pipeline, { recursive: true });
symlinkSync(join(REPO_ROOT, 'node_modules'), join(home, 'node_modules'));
let manifest: ManifestJson;

describe('the KWS demo pipeline', () => {
  beforeAll(async () => {
    const result = await runCli(['run', pipeline, '--json'], { env });
    expect(result.code, result.stderr).toBe(0);
    manifest = JSON.parse(result.stdout) as ManifestJson;
  }, 300_000);

  test('runs every block on the shipped data, then is fully cached', async () => {
    expect(manifest.blocks.map((b) => [b.name, b.status])).toEqual([
      ['ingest', 'ran'],
      ['augment', 'ran'],
      ['mfcc', 'ran'],
      ['classifier', 'ran'],
      ['deploy:cpp', 'ran'],
      ['deploy:wasm', 'ran'],
      ['deploy:pack', 'ran'],
      ['deploy:arduino', 'ran'],
    ]);
    const deployedTo = (name: string) => (manifest.blocks.find((b) => b.name === name) as unknown as { deployedTo: string }).deployedTo;
    expect(existsSync(join(deployedTo('deploy:cpp'), 'model-parameters/model_metadata.h'))).toBe(true);
    expect(existsSync(join(deployedTo('deploy:wasm'), 'model.wasm'))).toBe(true);
    const again = await runCli(['run', pipeline, '--json'], { env });
    expect((JSON.parse(again.stdout) as ManifestJson).blocks.every((b) => b.status === 'cached')).toBe(true);
  });

  test('every stored test case passes on the TS reference; a wrong expectation fails the run', async () => {
    const result = await runCli(['test', pipeline, '--json'], { env });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { passed: number; failed: number; cases: { targets: { ts: { pass: boolean; scores: Record<string, number> } } }[] };
    expect(report.failed).toBe(0);
    expect(report.passed).toBeGreaterThanOrEqual(20);
    expect(Object.keys(report.cases[0]!.targets.ts.scores).sort()).toEqual(['_silence_', '_unknown_', 'no', 'yes']);

    // Record a silence clip as "yes": the suite must now fail, naming the case.
    const clip = join(pipeline, 'data/_silence_', readdirSync(join(pipeline, 'data/_silence_'))[0]!);
    const added = await runCli(['test', 'add', pipeline, clip, '--label', 'yes', '--name', 'deliberately-wrong'], { env });
    expect(added.code, added.stderr).toBe(0);
    const failing = await runCli(['test', pipeline], { env });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/✖ deliberately-wrong \[expected yes\] ts: FAIL _silence_/);
    expect(failing.stdout).toMatch(/test cases: \d+ passed, 1 failed/);
    rmSync(join(pipeline, 'tests', 'deliberately-wrong.json'));
  });

  test('the deployed C++ library (DSP + NN, host g++) gives the reference int8 outputs on every case', async () => {
    const result = await runCli(['test', pipeline, '--target', 'cpp', '--json'], { env });
    const report = JSON.parse(result.stdout) as { failed: number; passed: number; targets: string[]; cases: { name: string; targets: Record<string, { pass: boolean; reason?: string }> }[] };
    expect(report.targets).toEqual(['ts', 'cpp']);
    expect(report.cases.filter((c) => !c.targets.cpp!.pass).map((c) => `${c.name}: ${c.targets.cpp!.reason}`)).toEqual([]);
    expect(result.code).toBe(0);
  });

  test('calibrate --save writes the continuous params the pipeline imports into its cpp deployment', async () => {
    const saved = join(home, 'continuous.json');
    const result = await runCli(['calibrate', pipeline, '--save', saved, '--json'], { env });
    expect([0, 1], result.stderr).toContain(result.code); // 1 = FRR target missed, still written
    const calibration = JSON.parse(result.stdout) as { strideMs: number; keywords: string[]; params: { averageWindowMs: number; detectionThreshold: number; suppressionMs: number }; saved: string };
    expect(calibration.saved).toBe(saved);
    expect(JSON.parse(readFileSync(saved, 'utf8'))).toEqual({ strideMs: calibration.strideMs, ...calibration.params, keywords: calibration.keywords });
    // The shipped pipeline compiles its committed continuous.json into the library.
    const shipped = JSON.parse(readFileSync(join(pipeline, 'continuous.json'), 'utf8')) as { detectionThreshold: number; suppressionMs: number };
    const deployedTo = (manifest.blocks.find((b) => b.name === 'deploy:cpp') as unknown as { deployedTo: string }).deployedTo;
    const metadata = readFileSync(join(deployedTo, 'model-parameters/model_metadata.h'), 'utf8');
    expect(metadata).toMatch(/#define EI_CLASSIFIER_CONTINUOUS 1/);
    expect(Number(/#define TF_CONTINUOUS_THRESHOLD (\S+)/.exec(metadata)?.[1])).toBe(shipped.detectionThreshold);
    expect(Number(/#define TF_CONTINUOUS_SUPPRESSION_MS (\S+)/.exec(metadata)?.[1])).toBe(shipped.suppressionMs);
  }, 120_000);

  test('eval classifies an external labelled folder', async () => {
    const result = await runCli(['eval', pipeline, '--data', join(pipeline, 'data'), '--json'], { env });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { samples: number; accuracy: number; confusion: number[][] };
    expect(report.samples).toBe(360);
    expect(report.confusion.flat().reduce((a, b) => a + b, 0)).toBe(360);
    expect(report.accuracy).toBeGreaterThan(0.8); // mostly its own training data
  });

  test.skipIf(!browserAvailable())('the HTML report renders its charts with data in a real browser', async () => {
    const out = join(home, 'report', 'index.html');
    const report = await runCli(['report', pipeline, '--out', out], { env });
    expect(report.code, report.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    const browser = await chromium.launch({ executablePath: CHROMIUM!, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 1800 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`file://${out}`);
      await page.waitForSelector('body[data-rendered=true]', { timeout: 20_000 });
      const charts = (await page.evaluate(() => (window as unknown as { tinyforgeCharts: { id: string; points: number }[] }).tinyforgeCharts)) ?? [];
      expect(errors).toEqual([]);
      const byId = Object.fromEntries(charts.map((c) => [c.id, c.points]));
      expect(byId['dataset-chart-0']).toBe(8); // 4 labels × (train, test)
      expect(byId['curves-loss-0']).toBe(120); // 60 epochs × (loss, val loss)
      expect(byId['features-chart-0']).toBeGreaterThan(300); // every MFCC sample on the PCA plot
      expect(await page.locator('table.confusion').count()).toBe(4); // float/int8 × validation/test
      // The canvases really hold pixels, not just a chart object.
      const painted = await page.evaluate(() => {
        const c = document.getElementById('features-chart-0') as HTMLCanvasElement;
        const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i]! > 0) n++;
        return n;
      });
      expect(painted).toBeGreaterThan(1000);
      const shot = join(home, 'report', 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`report screenshot: ${shot}`);
    } finally {
      await browser.close();
    }
  });
});

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, runCli, type ManifestJson } from '../support/slice-project.js';
import { CHROMIUM, CHROMIUM_ARGS, browserAvailable } from '../support/browser.js';

// The README's demo: the shipped KWS pipeline end to end, in a private state folder.
const home = mkdtempSync(join(tmpdir(), 'tinyforge-kws-'));
const env = { TINYFORGE_HOME: home };
const pipeline = join(REPO_ROOT, 'pipelines/kws');
let manifest: ManifestJson;

describe('the KWS demo pipeline', () => {
  beforeAll(async () => {
    const result = await runCli(['run', pipeline, '--json', '--set', 'classifier.epochs=8'], { env });
    expect(result.code, result.stderr).toBe(0);
    manifest = JSON.parse(result.stdout) as ManifestJson;
  }, 300_000);

  test('runs every block on the shipped data, then is fully cached', async () => {
    expect(manifest.blocks.map((b) => [b.name, b.status])).toEqual([
      ['ingest', 'ran'],
      ['augment', 'ran'],
      ['mfcc', 'ran'],
      ['classifier', 'ran'],
    ]);
    const again = await runCli(['run', pipeline, '--json', '--set', 'classifier.epochs=8'], { env });
    expect((JSON.parse(again.stdout) as ManifestJson).blocks.every((b) => b.status === 'cached')).toBe(true);
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
      expect(byId['curves-loss-0']).toBe(16); // 8 epochs × (loss, val loss)
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

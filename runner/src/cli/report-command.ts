import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { loadPipeline } from '../config/load-pipeline.js';
import { catalogFor } from '../plan/catalog-for.js';
import { planPipeline } from '../plan/plan-pipeline.js';
import { collectReport } from '../report/collect-report.js';
import { renderReportHtml } from '../report/render-html.js';
import { findStateRoot } from '../store/open-store.js';

/** `tinyforge report <pipeline> [--out <file>]`: a static HTML page of the last run's results. */
export async function reportCommand(target: string, options: { out?: string; json?: boolean }): Promise<number> {
  const pipeline = await loadPipeline(target);
  const plan = await planPipeline(pipeline, catalogFor(pipeline.dir));
  const data = await collectReport(plan);
  const out = resolve(options.out ?? join(findStateRoot(pipeline.dir), 'reports', pipeline.config.name, 'index.html'));
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, await renderReportHtml(data));
  await writeFile(join(dirname(out), 'report.json'), JSON.stringify(data, null, 2));
  if (options.json) process.stdout.write(`${JSON.stringify({ html: out, sections: { datasets: data.datasets.length, training: data.training.length, features: data.features.length, estimates: data.estimates.length }, missing: data.missing })}\n`);
  else process.stdout.write(`report: ${relative(process.cwd(), out) || out}${data.missing.length ? ` (no results yet for ${data.missing.join(', ')})` : ''}\n`);
  return 0;
}

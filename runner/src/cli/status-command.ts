import { loadPipeline } from '../config/load-pipeline.js';
import { parseOverride } from '../config/overrides.js';
import { catalogFor } from '../plan/catalog-for.js';
import { planPipeline } from '../plan/plan-pipeline.js';
import { explainStatus } from '../exec/explain-status.js';

export async function statusCommand(target: string, options: { json?: boolean; set?: string[] }): Promise<number> {
  const pipeline = await loadPipeline(target, (options.set ?? []).map(parseOverride));
  const plan = await planPipeline(pipeline, catalogFor(pipeline.dir));
  const reports = await explainStatus(plan);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ pipeline: pipeline.config.name, blocks: reports }, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...reports.map((r) => r.name.length));
  for (const r of reports) {
    const head = `${r.name.padEnd(width)}  ${r.state === 'cached' ? 'cached' : 'will run'}`;
    process.stdout.write(r.reasons.length ? `${head}: ${r.reasons.join('; ')}\n` : `${head}\n`);
  }
  return 0;
}

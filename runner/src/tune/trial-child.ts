import { loadPipeline } from '../config/load-pipeline.js';
import { parseOverride } from '../config/overrides.js';
import { runPipeline } from '../exec/run-pipeline.js';
import { catalogFor } from '../plan/catalog-for.js';
import { planPipeline } from '../plan/plan-pipeline.js';
import { reportError } from '../cli/print-error.js';

/**
 * One tune trial, in its own process: `node trial-child.js <pipeline> <deploys> [--set a.b=v]…`.
 * The same engine as `tinyforge run` (every block an ordinary cached action), except for the
 * deployments, which a search does not need at every trial:
 *   all      as the pipeline says;
 *   measure  only the cpp target's, on cortex-m4 (its estimate.json measures the trial);
 *   none     none.
 * Prints the run manifest as JSON.
 */
async function main(argv: string[]): Promise<number> {
  const [file, deploys = 'measure', ...rest] = argv;
  const sets: string[] = [];
  for (let i = 0; i < rest.length; i++) if (rest[i] === '--set' && rest[i + 1] !== undefined) sets.push(rest[++i]!);
  const pipeline = await loadPipeline(file!, sets.map(parseOverride));
  const config = pipeline.config as { deploy?: Record<string, { target: string; params?: Record<string, unknown> }> };
  if (deploys !== 'all' && config.deploy) {
    const kept = Object.entries(config.deploy).filter(([, d]) => deploys === 'measure' && d.target.replace(/@.*$/, '') === 'cpp');
    config.deploy = Object.fromEntries(kept.map(([name, d]) => [name, { ...d, params: { ...(d.params ?? {}), cores: ['cortex-m4'] } }]));
  }
  const plan = await planPipeline(pipeline, catalogFor(pipeline.dir));
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  process.once('SIGINT', () => controller.abort());
  const manifest = await runPipeline(plan, { signal: controller.signal, threads: 1 });
  process.stdout.write(`${JSON.stringify(manifest)}\n`);
  return manifest.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(reportError(error, false)),
);

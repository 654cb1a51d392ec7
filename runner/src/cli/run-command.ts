import { loadPipeline } from '../config/load-pipeline.js';
import { checkDeploys } from '../deploy/check-deploys.js';
import { runSummaryLines } from './run-summary.js';
import { parseOverride } from '../config/overrides.js';
import { catalogFor } from '../plan/catalog-for.js';
import { planPipeline } from '../plan/plan-pipeline.js';
import { runPipeline, type RunManifest } from '../exec/run-pipeline.js';
import { TaskTree, formatMs } from './task-ui.js';

export interface RunCommandOptions {
  set?: string[];
  force?: boolean | string[];
  json?: boolean;
  threads?: number;
}

/** `tinyforge run`: returns the exit code (0 ok, 1 a block failed; bad config throws → 2). */
export async function runCommand(target: string, options: RunCommandOptions): Promise<number> {
  const overrides = (options.set ?? []).map(parseOverride);
  const pipeline = await loadPipeline(target, overrides);
  const plan = await planPipeline(pipeline, catalogFor(pipeline.dir));
  await checkDeploys(plan);
  const controller = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130); // second Ctrl-C: leave now; nothing half-written is published anyway
    interrupted = true;
    process.stderr.write('\ncancelling… (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const ui = options.json ? undefined : await TaskTree.create(plan.blocks, false);
  const rendering = ui?.start();
  let manifest: RunManifest;
  try {
    manifest = await runPipeline(plan, {
      signal: controller.signal,
      ...(ui ? { onEvent: ui.onEvent } : {}),
      ...(options.force !== undefined ? { force: options.force } : {}),
      ...(options.threads ? { threads: options.threads } : {}),
    });
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  await rendering;
  if (options.json) process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
  else {
    printSummary(manifest);
    for (const line of await runSummaryLines(manifest, pipeline.dir)) process.stdout.write(`${line}\n`);
  }
  if (interrupted) {
    process.stderr.write('cancelled: finished blocks are cached, nothing partial was published\n');
    return 1;
  }
  if (manifest.ok) return 0;
  return manifest.blocks.some((b) => b.errorExitCode === 2) ? 2 : 1;
}

function printSummary(manifest: RunManifest): void {
  const failed = manifest.blocks.filter((b) => b.status === 'failed');
  for (const b of failed) process.stderr.write(`error: ${b.error}\n`);
  for (const b of manifest.blocks) {
    for (const s of b.skippedSamples ?? []) process.stderr.write(`warning: block "${b.name}" skipped ${s.unit}: ${s.reason}\n`);
  }
  if (manifest.integrityRecovery) process.stderr.write(`warning: ${manifest.integrityRecovery}; recovered by recomputing\n`);
  const ran = manifest.blocks.filter((b) => b.status === 'ran').length;
  const cached = manifest.blocks.filter((b) => b.status === 'cached').length;
  process.stdout.write(`${manifest.ok ? 'done' : 'failed'}: ${manifest.pipeline} in ${formatMs(manifest.ms)} — ${ran} ran, ${cached} cached${failed.length ? `, ${failed.length} failed` : ''}\n`);
}

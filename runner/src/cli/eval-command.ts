import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { TinyforgeError, type SourceBlock } from '@tinyforge/sdk';
import { loadPipeline } from '../config/load-pipeline.js';
import { catalogFor } from '../plan/catalog-for.js';
import { planPipeline } from '../plan/plan-pipeline.js';
import { featuresOf, loadImpulse, predictorOf } from '../impulse/load-impulse.js';
import { chooseTargets, readWithIngest } from './test-command.js';

/**
 * `tinyforge eval <pipeline> --data <folder>`: classify an external labelled folder (label = the
 * subfolder under it), the way a user checks a model on new recordings.
 */
export async function evalCommand(target: string, options: { data: string; target?: string; json?: boolean }): Promise<number> {
  const pipeline = await loadPipeline(target);
  const plan = await planPipeline(pipeline, catalogFor(pipeline.dir));
  const impulse = await loadImpulse(plan);
  const root = resolve(options.data);
  const spec = (impulse.source.block as SourceBlock).sources(impulse.source.params as never);
  const files = listFiles(root).filter((f) => !spec.extensions || spec.extensions.some((e) => f.toLowerCase().endsWith(e.toLowerCase())));
  if (files.length === 0) throw new TinyforgeError({ code: 'BAD_INPUT', file: root, message: 'no data files in this folder' });
  const targets = chooseTargets(options.target);
  const predictor = await predictorOf(impulse, 'int8');
  const labels = [...predictor.labels];
  const results: Record<string, unknown> = {};
  const { classificationMetrics } = await import('@tinyforge/blocks/learn/metrics');
  for (const t of targets) {
    const session = await t.open(impulse);
    const probs: number[] = [];
    const truth: number[] = [];
    const unknownLabels = new Set<string>();
    try {
      for (const file of files) {
        const label = relative(root, file).split(sep)[0]!;
        const index = labels.indexOf(label);
        if (index < 0) {
          unknownLabels.add(label);
          continue;
        }
        const sample = await readWithIngest(plan, impulse.source.block as SourceBlock, impulse.source.params, file);
        const { scores } = await session.classify({ ...sample, label });
        probs.push(...scores);
        truth.push(index);
      }
    } finally {
      await session.close();
    }
    const m = classificationMetrics(probs, truth, labels);
    results[t.name] = { samples: m.samples, accuracy: m.accuracy, perClass: m.perClass, confusion: m.confusion, ...(unknownLabels.size ? { skippedLabels: [...unknownLabels] } : {}) };
  }
  const report = { pipeline: plan.pipeline.config.name, data: root, labels, targets: results };
  if (options.json) process.stdout.write(`${JSON.stringify(Object.keys(results).length === 1 ? { ...report, ...(results[targets[0]!.name] as object) } : report, null, 2)}\n`);
  else {
    for (const [name, r] of Object.entries(results) as [string, { samples: number; accuracy: number }][]) {
      process.stdout.write(`${name}: accuracy ${(100 * r.accuracy).toFixed(1)} % on ${r.samples} samples\n`);
    }
  }
  return 0;
}

function listFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    throw new TinyforgeError({ code: 'BAD_INPUT', file: dir, message: 'cannot read this folder' });
  }
  return entries.filter((e) => !e.startsWith('.')).flatMap((e) => {
    const full = join(dir, e);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

export { featuresOf };

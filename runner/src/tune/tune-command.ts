import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { TinyforgeError } from '@tinyforge/sdk';
import { resolvePipelineFile } from '../config/load-pipeline.js';
import { loadPipeline } from '../config/load-pipeline.js';
import { findStateRoot } from '../store/open-store.js';
import { applyParams } from './apply.js';
import { findTuneFile, loadTuneConfig, type TuneConfig } from './config.js';
import { formatLeaderboard, rankTrials, type Leaderboard } from './leaderboard.js';
import { runTune } from './search.js';

export interface TuneCommandOptions {
  config?: string;
  strategy?: 'random' | 'hyperband';
  trials?: number;
  time?: number;
  parallel?: number;
  flash?: number;
  ram?: number;
  latency?: number;
  json?: boolean;
}

/** `tinyforge tune`: 0 when a trial met the constraints, 1 when none did, 2 for bad config. */
export async function tuneCommand(target: string, opts: TuneCommandOptions): Promise<number> {
  const pipelineFile = resolvePipelineFile(target);
  const pipelineDir = join(pipelineFile, '..');
  const configFile = opts.config ?? findTuneFile(pipelineDir);
  if (!configFile) throw new TinyforgeError({ code: 'USAGE', file: pipelineFile, message: 'no tune config', hint: 'write tune.json (or tune.ts / tune.yaml) beside the pipeline: { "space": { "mfcc.num_filters": [20, 32] }, "constraints": { "flashBytes": 32768 } } — see docs/tune.md' });
  const config: TuneConfig = await loadTuneConfig(configFile);
  if (opts.strategy) config.strategy = opts.strategy;
  if (opts.trials) config.trials = opts.trials;
  if (opts.time) config.timeSeconds = opts.time;
  if (opts.parallel) config.parallel = opts.parallel;
  if (opts.flash) config.constraints.flashBytes = opts.flash;
  if (opts.ram) config.constraints.ramBytes = opts.ram;
  if (opts.latency) config.constraints.latencyMs = opts.latency;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const lb = await runTune(pipelineFile, config, {
    onLog: opts.json ? undefined : log,
    onTrial: opts.json
      ? undefined
      : (t) => log(`  trial ${t.n}: ${t.status === 'ok' ? `${t.rankAccuracy ?? '—'} %` : `failed: ${t.error}`} (${t.blocks.ran} ran, ${t.blocks.cached} cached, ${(t.ms / 1000).toFixed(1)} s)`),
  });
  if (opts.json) process.stdout.write(`${JSON.stringify(lb, null, 2)}\n`);
  else process.stdout.write(`${summary(lb)}\n`);
  return lb.best === null ? 1 : 0;
}

function summary(lb: Leaderboard): string {
  const lines = [formatLeaderboard(lb)];
  const fit = lb.estimator.fit;
  lines.push(`estimator: ${lb.estimator.note}`);
  if (fit) {
    const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)} %` : '—');
    lines.push(`  error (${fit.method}): flash ${pct(fit.priorError.flashBytes)} → ${pct(fit.fittedError.flashBytes)}, RAM ${pct(fit.priorError.ramBytes)} → ${pct(fit.fittedError.ramBytes)}, instructions ${pct(fit.priorError.instructions)} → ${pct(fit.fittedError.instructions)}`);
  }
  if (lb.best !== null) {
    lines.push(`best: trial ${lb.best} — apply it with: tinyforge tune apply ${relative(process.cwd(), lb.pipelineFile)} --trial ${lb.best}`);
  } else if (!lb.trials.some((t) => t.status === 'ok')) {
    lines.push(`every trial failed (${lb.trials.length}); first error: ${lb.trials[0]?.error ?? 'no trial started'}`);
  } else {
    const c = lb.constraints;
    const limits = [c.flashBytes && `flash ≤ ${c.flashBytes} B`, c.ramBytes && `RAM ≤ ${c.ramBytes} B`, c.latencyMs && `latency ≤ ${c.latencyMs} ms`].filter(Boolean).join(', ');
    lines.push(`no trial met the constraints (${limits || 'none set'}; ${lb.trials.filter((t) => t.status === 'ok').length} trial(s) finished). Closest:`);
    for (const n of lb.closest) {
      const t = lb.trials.find((x) => x.n === n)!;
      lines.push(`  trial ${n}: ${t.violations.join(', ')} — ${JSON.stringify(t.params)}`);
    }
  }
  lines.push(`${lb.trials.length} trial(s) in ${(lb.ms / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

export async function readLeaderboard(target: string): Promise<Leaderboard> {
  const pipeline = await loadPipeline(target);
  const file = join(findStateRoot(pipeline.dir), 'tune', pipeline.config.name, 'leaderboard.json');
  if (!existsSync(file)) throw new TinyforgeError({ code: 'USAGE', file: pipeline.file, message: 'no tune results yet', hint: `run: tinyforge tune ${target}` });
  return JSON.parse(await readFile(file, 'utf8')) as Leaderboard;
}

/** `tinyforge tune apply`: writes a trial's params (and its training length) into the pipeline file. */
export async function tuneApplyCommand(target: string, opts: { trial?: number; json?: boolean }): Promise<number> {
  const lb = await readLeaderboard(target);
  const n = opts.trial ?? lb.best;
  const trial = lb.trials.find((t) => t.n === n);
  if (n === null || n === undefined || !trial) {
    const known = rankTrials(lb.trials).slice(0, 5).map((t) => t.n).join(', ');
    throw new TinyforgeError({ code: 'USAGE', message: n === null ? 'no trial met the constraints; choose one with --trial N' : `no trial ${n}`, hint: `trials: ${known}` });
  }
  if (trial.status !== 'ok') throw new TinyforgeError({ code: 'USAGE', message: `trial ${n} failed; choose another` });
  const file = resolvePipelineFile(target);
  const values: Record<string, unknown> = { ...trial.params };
  if (trial.fidelity !== null) values[lb.fidelityParam ?? 'classifier.epochs'] = trial.fidelity;
  await applyParams(file, values);
  if (opts.json) process.stdout.write(`${JSON.stringify({ file, trial: n, params: values })}\n`);
  else process.stdout.write(`${relative(process.cwd(), file)}: applied trial ${n}: ${Object.entries(values).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}\n`);
  return 0;
}

/**
 * Tune benchmark (issue 9 acceptance): KWS (pipelines/kws, 360 clips) under 32 KB flash and
 * 8 KB RAM on Cortex-M4. The constrained search runs first on a cold cache (timed: goal
 * ≤ 10 min on 2 cores); then the same search without constraints (its short trials are cache
 * hits). Goal: the constrained winner's accuracy within 2 points of the unconstrained winner's.
 * Run: npx tsx test/bench/tune.ts   (BENCH_TUNE_TRIALS=n to change the number of configurations)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatLeaderboard, type Leaderboard } from '../../runner/src/tune/leaderboard.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CLI = join(ROOT, 'runner/bin/tinyforge.js');
const home = mkdtempSync(join(tmpdir(), 'tinyforge-bench-tune-'));

const space = {
  'classifier.preset': ['ei-conv1d-audio', 'ei-conv2d-audio'],
  'mfcc.num_filters': [20, 32, 40],
  'mfcc.num_cepstral': [10, 13],
  'mfcc.frame_stride': [0.02, 0.025],
  'mfcc.frame_length': [0.02, 0.025],
};
const base = { space, strategy: 'hyperband', trials: Number(process.env.BENCH_TUNE_TRIALS ?? 18), fidelity: { min: 10, max: 60, eta: 3 }, measure: 4, parallel: 2, seed: 1 };

interface Trial { n: number; rung: number; status: string; feasible: boolean; accuracy: { validation: number | null; test: number | null }; estimate?: { flashBytes: number; ramBytes: number; latencyMs: number }; measured?: unknown; params: Record<string, unknown> }
interface Board { best: number | null; trials: Trial[]; estimator: { fit?: { points: number; priorError: Record<string, number>; fittedError: Record<string, number> } } }

function tune(name: string, config: object): { board: Board; seconds: number } {
  const file = join(home, `${name}.json`);
  writeFileSync(file, JSON.stringify(config, null, 2));
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'tune', join(ROOT, 'pipelines/kws'), '--config', file, '--json'], { encoding: 'utf8', env: { ...process.env, TINYFORGE_HOME: home }, maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0 && r.status !== 1) throw new Error(`tune ${name} failed: ${r.stderr}`);
  const board = JSON.parse(r.stdout) as Board;
  console.log(`${name}:\n${formatLeaderboard(board as unknown as Leaderboard, 12)}\n${JSON.stringify(board.estimator)}\n`);
  return { board, seconds };
}

const constrained = tune('constrained', { ...base, constraints: { flashBytes: 32 * 1024, ramBytes: 8 * 1024 } });
const free = tune('unconstrained', base);

const bestOf = (b: Board) => b.trials.find((t) => t.n === b.best);
const c = bestOf(constrained.board);
const u = bestOf(free.board);
const fit = constrained.board.estimator.fit;
const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : (v * 100).toFixed(1));
console.log(`tune constrained, cold cache: ${constrained.seconds.toFixed(0)} s (goal ≤ 600 s on 2 cores)`);
console.log(`tune unconstrained, shared cache: ${free.seconds.toFixed(0)} s`);
console.log(`trials constrained: ${constrained.board.trials.length} count (${constrained.board.trials.filter((t) => t.feasible).length} feasible)`);
console.log(`best constrained validation accuracy: ${c?.accuracy.validation ?? 'none'} % (trial ${c?.n ?? '—'})`);
console.log(`best constrained test accuracy: ${c?.accuracy.test ?? 'none'} %`);
console.log(`best constrained flash: ${c?.estimate?.flashBytes ?? 'n/a'} B (goal ≤ 32768)`);
console.log(`best constrained RAM: ${c?.estimate?.ramBytes ?? 'n/a'} B (goal ≤ 8192)`);
console.log(`best unconstrained validation accuracy: ${u?.accuracy.validation ?? 'none'} % (trial ${u?.n ?? '—'})`);
console.log(`best unconstrained test accuracy: ${u?.accuracy.test ?? 'none'} %`);
if (c && u) {
  console.log(`validation accuracy gap: ${((u.accuracy.validation ?? 0) - (c.accuracy.validation ?? 0)).toFixed(2)} points (goal ≤ 2)`);
  console.log(`test accuracy gap: ${((u.accuracy.test ?? 0) - (c.accuracy.test ?? 0)).toFixed(2)} points (goal ≤ 2)`);
}
if (fit) {
  console.log(`estimator measurements: ${fit.points} count`);
  for (const q of ['flashBytes', 'ramBytes', 'instructions']) console.log(`estimator ${q} error: ${pct(fit.priorError[q])} % prior → ${pct(fit.fittedError[q])} % fitted (goal: smaller)`);
}

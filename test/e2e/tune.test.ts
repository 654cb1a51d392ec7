import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, createKwsProject } from './tune-fixture.js';

// tune + tune apply + calibrate on a tiny KWS project (12 clips per label, 4-point space,
// successive halving 2 → 6 epochs). Uses only data shipped in the repo.
const TUNE = {
  space: { 'mfcc.num_cepstral': [10, 13], 'mfcc.num_filters': [20, 32] },
  constraints: { flashBytes: 48 * 1024, ramBytes: 16 * 1024 },
  strategy: 'hyperband',
  trials: 4,
  fidelity: { min: 2, max: 6, eta: 3 },
  measure: 3,
};
const dir = createKwsProject({ perLabel: 12, epochs: 6, tune: TUNE, calibrate: { tailMs: 20_000, targetFrr: 0.5 } });

interface TrialJson {
  n: number;
  status: string;
  feasible: boolean;
  pareto: boolean;
  fidelity: number;
  rung: number;
  params: Record<string, unknown>;
  blocks: { ran: number; cached: number };
  estimate: { flashBytes: number; ramBytes: number; instructions: number; latencyMs: number; nn: { flashBytes: number } };
  measured?: { flashBytes: number };
  violations: string[];
}
interface LeaderboardJson {
  best: number | null;
  closest: number[];
  trials: TrialJson[];
  estimator: { fit?: { points: number; fittedError: Record<string, number> } };
}

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, TINYFORGE_HOME: '', TINYFORGE_CACHE_DIR: '' } });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
};
let first: LeaderboardJson;

describe('tinyforge tune', () => {
  beforeAll(() => {
    const r = cli('tune', '.', '--json');
    expect(r.code, r.stderr).toBe(0);
    first = JSON.parse(r.stdout) as LeaderboardJson;
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('successive halving: 4 short trials, the best feasible third trained longer; leaderboard written', () => {
    const rung0 = first.trials.filter((t) => t.rung === 0);
    const rung1 = first.trials.filter((t) => t.rung === 1);
    expect(rung0.map((t) => t.fidelity)).toEqual([2, 2, 2, 2]);
    expect(rung1.length).toBe(2);
    expect(rung1.every((t) => t.fidelity === 6 && t.status === 'ok')).toBe(true);
    expect(first.best).not.toBeNull();
    expect(rung1.map((t) => t.n)).toContain(first.best);
    expect(rung1.some((t) => t.pareto)).toBe(true);
    for (const t of first.trials) {
      expect(t.estimate.flashBytes).toBeGreaterThan(t.estimate.nn.flashBytes); // DSP adds code and tables
      expect(t.estimate.latencyMs).toBeCloseTo(t.estimate.instructions / 80_000, 1);
    }
    expect(existsSync(join(dir, '.tinyforge/tune/kws-tiny/leaderboard.json'))).toBe(true);
    // The pipeline's own state is untouched by trials (they keep theirs under tune/).
    expect(existsSync(join(dir, '.tinyforge/state/kws-tiny'))).toBe(false);
  });

  test('the estimator is fitted to real Cortex-M4 measurements when the toolchain exists', () => {
    const fit = first.estimator.fit;
    if (!fit) {
      console.log('no C++ target measurement (toolchain missing): analytical estimator only');
      if (process.env.CI === 'true') expect.fail('CI must have the Cortex-M toolchain');
      return;
    }
    expect(fit.points).toBeGreaterThanOrEqual(2);
    const measured = first.trials.filter((t) => t.measured);
    expect(measured.length).toBeGreaterThanOrEqual(2);
    for (const t of measured) expect(t.estimate.nn.flashBytes).toBe(t.measured!.flashBytes);
  });

  test('a second run (e.g. after a crash) reuses every trial: all blocks cached', () => {
    const r = cli('tune', '.', '--json');
    expect(r.code, r.stderr).toBe(0);
    const again = JSON.parse(r.stdout) as LeaderboardJson;
    expect(again.trials.length).toBe(first.trials.length);
    expect(again.trials.every((t) => t.blocks.ran === 0 && t.blocks.cached === 3)).toBe(true);
    expect(again.best).toBe(first.best);
  }, 120_000);

  test('tune apply writes the best trial into pipeline.ts; the pipeline then runs fully cached', () => {
    const before = readFileSync(join(dir, 'pipeline.ts'), 'utf8');
    const r = cli('tune', 'apply', '.');
    expect(r.code, r.stderr).toBe(0);
    const after = readFileSync(join(dir, 'pipeline.ts'), 'utf8');
    expect(after).toContain('// Tiny KWS for the tune tests.');
    const best = first.trials.find((t) => t.n === first.best)!;
    for (const [k, v] of Object.entries(best.params)) expect(after).toMatch(new RegExp(`${k.split('.')[1]}: ${v}`));
    expect(after).not.toBe(before);
    const run = cli('run', '.', '--json');
    expect(run.code, run.stderr).toBe(0);
    const manifest = JSON.parse(run.stdout) as { blocks: { status: string }[] };
    expect(manifest.blocks.map((b) => b.status)).toEqual(['cached', 'cached', 'cached']);
  }, 120_000);

  test('an impossible budget ends with "no trial met the constraints", the closest trials, exit 1', () => {
    const r = cli('tune', '.', '--flash', '1024');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no trial met the constraints (flash ≤ 1024 B');
    expect(r.stdout).toMatch(/trial \d+: flash \d+ B > 1024 B/);
    const lb = JSON.parse(readFileSync(join(dir, '.tinyforge/tune/kws-tiny/leaderboard.json'), 'utf8')) as LeaderboardJson;
    expect(lb.best).toBeNull();
    expect(lb.closest.length).toBeGreaterThan(0);
    // Infeasible trials are never promoted to longer training.
    expect(lb.trials.every((t) => t.rung === 0)).toBe(true);
  }, 120_000);

  test('calibrate: stream of test clips in noise, sliding inference, post-processing chosen and written', () => {
    const r = cli('calibrate', '.', '--json');
    expect([0, 1]).toContain(r.code);
    const out = JSON.parse(r.stdout) as { params: { averageWindowMs: number; detectionThreshold: number; suppressionMs: number }; windowMs: number; strideMs: number; stream: { durationMs: number; inferences: number; events: number }; keywords: string[]; meetsTarget: boolean; result: { maxFrr: number }; file: string };
    expect(r.code).toBe(out.meetsTarget ? 0 : 1);
    expect(out.keywords.sort()).toEqual(['no', 'yes']);
    expect(out.windowMs).toBe(1000);
    expect(out.stream.inferences).toBe(Math.floor((out.stream.durationMs - 1000) / 250) + 1);
    expect([250, 500, 750, 1000]).toContain(out.params.averageWindowMs);
    expect(out.params.detectionThreshold).toBeGreaterThan(0.25);
    expect(existsSync(join(dir, '.tinyforge/calibration/kws-tiny.json'))).toBe(true);
  }, 120_000);
});

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TinyforgeError, isTinyforgeError, type WholeBlock } from '@tinyforge/sdk';
import { loadPipeline } from '../config/load-pipeline.js';
import { parseOverride } from '../config/overrides.js';
import { catalogFor } from '../plan/catalog-for.js';
import { planPipeline, type Plan } from '../plan/plan-pipeline.js';
import { findStateRoot, openStore, type Store } from '../store/open-store.js';
import { atomicWrite } from '../util/atomic-write.js';
import type { TuneConfig } from './config.js';
import { estimate, fitEstimator, UNFITTED, type EstimatorModel } from './estimator.js';
import { evaluateTrial, type TrialModel } from './evaluate-trial.js';
import { checkConstraints, latencyMs, markPareto, rankTrials, scoreOf, type Leaderboard, type TrialRecord } from './leaderboard.js';
import { loadCppTarget, measureModel, readDeployEstimate, type Measurement } from './measure.js';
import type { FileSetReader } from '@tinyforge/sdk';
import { pointId, samplePoints, toSetArgs, type Point } from './space.js';
import { runTrialProcess } from './trial-run.js';

export interface TuneRunOptions {
  onTrial?: (t: TrialRecord) => void;
  onLog?: (line: string) => void;
  signal?: AbortSignal;
}

export function tuneDir(plan: Plan): string {
  return join(findStateRoot(plan.pipeline.dir), 'tune', plan.pipeline.config.name);
}

/** Training lengths of successive halving: min, min·eta, … up to max. */
export function rungFidelities(config: TuneConfig): (number | null)[] {
  const f = config.fidelity;
  if (!f) return [null];
  if (config.strategy === 'random') return [f.max];
  const out: number[] = [];
  for (let r = f.min; r < f.max; r *= f.eta) out.push(r);
  out.push(f.max);
  return out;
}

/**
 * The search: trials are points of the space run as ordinary pipeline runs (child processes,
 * `parallel` at a time). `random` trains every point fully; `hyperband` (successive halving)
 * trains all points briefly, then only the best feasible 1/eta of them longer, and so on.
 * Feasibility uses the calibrated Cortex-M4 estimate; infeasible trials are never promoted.
 */
export async function runTune(target: string, config: TuneConfig, options: TuneRunOptions = {}): Promise<Leaderboard> {
  const t0 = performance.now();
  const log = options.onLog ?? (() => {});
  const pipeline = await loadPipeline(target);
  const plan = await planPipeline(pipeline, catalogFor(pipeline.dir));
  const learnName = config.learnBlock ?? plan.blocks.find((b) => b.block.granularity === 'whole' && typeof (b.block as WholeBlock).loadPredictor === 'function')?.name;
  if (!learnName || !plan.blocks.some((b) => b.name === learnName)) {
    throw new TinyforgeError({ code: 'USAGE', file: pipeline.file, message: config.learnBlock ? `tune: no learn block "${config.learnBlock}"` : 'tune: the pipeline has no learn block that classifies' });
  }
  const points = samplePoints(config.space, config.trials, config.seed);
  const fidelities = rungFidelities(config);
  for (const p of points) await checkPoint(pipeline.file, withFidelity(p, config, fidelities[0]!));

  const root = findStateRoot(pipeline.dir);
  const store = await openStore(root);
  const dir = tuneDir(plan);
  const home = join(dir, 'home');
  await mkdir(home, { recursive: true });
  const deadline = config.timeSeconds ? Date.now() + config.timeSeconds * 1000 : Infinity;

  const trials: TrialRecord[] = [];
  const models = new Map<number, TrialModel>();
  const measured = new Map<string, Measurement>();
  let estimator: EstimatorModel = UNFITTED;
  let estimatorNote = 'analytical priors (no measurement)';
  const cpp = config.measure > 0 ? await loadCppTarget() : { reason: 'measure: 0' };
  if (cpp.reason) estimatorNote = `analytical priors only: ${cpp.reason}`;

  const reestimate = () => {
    for (const t of trials) {
      const m = models.get(t.n);
      if (!m) continue;
      const e = estimate(estimator, m.net, m.dsp);
      const real = measured.get(m.modelDigest);
      t.predicted = { flashBytes: e.flashBytes, ramBytes: e.ramBytes, instructions: e.instructions };
      if (real) t.measured = { scope: real.scope, flashBytes: real.flashBytes, ramBytes: real.ramBytes, instructions: real.instructions };
      if (real?.scope === 'library') {
        // The whole library was measured: its figures are the truth for this trial.
        e.flashBytes = real.flashBytes;
        e.ramBytes = real.ramBytes;
        if (Number.isFinite(real.instructions)) e.instructions = real.instructions;
      } else if (real) {
        // A measured network replaces its estimate; the DSP part stays estimated.
        e.nn = { flashBytes: real.flashBytes, ramBytes: real.ramBytes, instructions: Number.isFinite(real.instructions) ? real.instructions : e.nn.instructions };
        e.flashBytes = e.nn.flashBytes + e.dsp.flashBytes;
        e.ramBytes = e.nn.ramBytes + e.dsp.ramBytes;
        e.instructions = e.nn.instructions + e.dsp.instructions;
      }
      t.estimate = { ...e, latencyMs: Math.round(latencyMs(e.instructions, config.constraints) * 100) / 100 };
      Object.assign(t, checkConstraints(t.estimate, config.constraints));
      t.score = scoreOf(t.rankAccuracy, t.estimate, config.objective);
    }
  };

  const measureSome = async (candidates: TrialRecord[], count: number) => {
    if (!cpp.target || count <= 0 || [...measured.values()].some((m) => m.scope === 'library')) return fit();
    // Spread over model size: the fit needs small and large networks.
    const byMacs = candidates.filter((t) => models.has(t.n) && !measured.has(models.get(t.n)!.modelDigest)).sort((a, b) => models.get(a.n)!.net.macs - models.get(b.n)!.net.macs);
    const pick = new Set<TrialRecord>();
    for (let i = 0; i < Math.min(count, byMacs.length); i++) pick.add(byMacs[Math.round((i * (byMacs.length - 1)) / Math.max(1, count - 1))]!);
    for (const t of pick) {
      const m = models.get(t.n)!;
      try {
        measured.set(m.modelDigest, await measureModel(m.model, join(root, 'tune', 'measurements'), cpp.target));
      } catch (error) {
        log(`measurement of trial ${t.n} failed: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    fit();
  };
  const fit = () => {
    const points = [...models.values()].filter((m) => measured.has(m.modelDigest)).map((m) => ({ net: m.net, dsp: m.dsp, measured: measured.get(m.modelDigest)! }));
    const unique = new Map(points.map((p) => [JSON.stringify([p.net, p.dsp]), p]));
    estimator = fitEstimator([...unique.values()]);
    if (estimator.fit?.scope === 'library') estimatorNote = `fitted to ${estimator.fit.points} whole-library measurements (pipeline deploy, target cpp, Cortex-M4 under QEMU: DSP + network); measured trials show their measurement`;
    else if (estimator.fit) estimatorNote = `network part fitted to ${estimator.fit.points} C++ target measurements (Cortex-M4, QEMU); DSP part analytical`;
  };

  let n = 0;
  let current = points;
  for (let rung = 0; rung < fidelities.length && current.length > 0; rung++) {
    const fidelity = fidelities[rung]!;
    log(`rung ${rung + 1}/${fidelities.length}: ${current.length} trial(s)${fidelity !== null ? ` at ${config.fidelity!.param}=${fidelity}` : ''}`);
    const rungTrials = await pool(current, config.parallel, async (point) => {
      if (Date.now() > deadline || options.signal?.aborted) return undefined;
      const record = await runOneTrial(++n, point, fidelity, rung);
      options.onTrial?.(record);
      return record;
    });
    const done = rungTrials.filter((t): t is TrialRecord => t !== undefined);
    trials.push(...done);
    await measureSome(done.filter((t) => t.status === 'ok'), rung === 0 ? config.measure : 0);
    reestimate();
    if (rung === fidelities.length - 1) break;
    const promotable = rankTrials(done.filter((t) => t.status === 'ok' && t.feasible));
    const keep = Math.max(1, Math.ceil(done.length / config.fidelity!.eta));
    current = promotable.slice(0, keep).map((t) => t.params);
  }

  async function runOneTrial(index: number, point: Point, fidelity: number | null, rung: number): Promise<TrialRecord> {
    const started = performance.now();
    const full = withFidelity(point, config, fidelity);
    const res = await runTrialProcess(pipeline.file, toSetArgs(full), config.deploys, home, store.layout.cacheDir, options.signal);
    const base: TrialRecord = {
      n: index, id: pointId(point), params: point, fidelity, rung, status: 'failed', accuracy: { validation: null, test: null }, rankAccuracy: null,
      feasible: false, violations: [], excess: Infinity, score: null, pareto: false, blocks: { ran: 0, cached: 0 }, ms: 0,
    };
    const m = res.manifest;
    if (m) base.blocks = { ran: m.blocks.filter((b) => b.status === 'ran').length, cached: m.blocks.filter((b) => b.status === 'cached').length };
    if (!m?.ok) {
      const error = m?.blocks.find((b) => b.error)?.error ?? (res.stderr.split('\n').find((l) => l.trim()) || `exit code ${res.exitCode}`);
      return { ...base, error: error.split('\n')[0]!, ms: Math.round(performance.now() - started) };
    }
    try {
      const model = await evaluateTrial(plan, learnName!, m, store, config.precision);
      models.set(index, model);
      // A deploy with the cpp target measured this trial's whole library already.
      for (const b of m.blocks.filter((x) => x.block.startsWith('target:') && x.outputs['bundle'])) {
        const real = await readDeployEstimate((await store.artifacts.reader(b.outputs['bundle']!)) as FileSetReader, model.modelDigest).catch(() => undefined);
        if (real) measured.set(model.modelDigest, real);
      }
      return { ...base, status: 'ok', accuracy: model.accuracy, rankAccuracy: model.accuracy[config.rankOn], modelDigest: model.modelDigest, ms: Math.round(performance.now() - started) };
    } catch (error) {
      return { ...base, error: (error as Error).message.split('\n')[0]!, ms: Math.round(performance.now() - started) };
    }
  }

  // Confirm the winner on the real target when possible.
  const top = fidelities.length - 1;
  const finalRung = Math.max(0, ...trials.filter((t) => t.status === 'ok').map((t) => t.rung));
  const finalists = trials.filter((t) => t.rung === finalRung);
  markPareto(finalists);
  const feasibleBest = rankTrials(finalists.filter((t) => t.status === 'ok' && t.feasible))[0];
  if (feasibleBest && cpp.target && !feasibleBest.measured) {
    await measureSome([feasibleBest], 1);
    reestimate();
  }
  const best = rankTrials(finalists.filter((t) => t.status === 'ok' && t.feasible))[0] ?? null;
  const closest = best ? [] : rankTrials(trials.filter((t) => t.status === 'ok')).slice(0, 3).map((t) => t.n);
  const lb: Leaderboard = {
    pipeline: plan.pipeline.config.name,
    pipelineFile: pipeline.file,
    strategy: config.strategy + (finalRung < top ? ` (stopped at rung ${finalRung + 1}/${top + 1}: time or feasibility)` : ''),
    fidelityParam: config.fidelity?.param ?? null,
    constraints: config.constraints,
    objective: config.objective,
    rankOn: config.rankOn,
    precision: config.precision,
    estimator: { ...(estimator.fit ? { fit: estimator.fit } : {}), note: estimatorNote },
    trials,
    best: best?.n ?? null,
    closest,
    ms: Math.round(performance.now() - t0),
    finishedAt: new Date().toISOString(),
  };
  await atomicWrite(join(dir, 'leaderboard.json'), JSON.stringify(lb, null, 2), { fsync: false });
  return lb;
}

function withFidelity(point: Point, config: TuneConfig, fidelity: number | null): Point {
  return fidelity === null ? point : { ...point, [config.fidelity!.param]: fidelity };
}

/** Every point must plan (params valid for the blocks) before anything runs. */
async function checkPoint(file: string, point: Point): Promise<void> {
  try {
    const p = await loadPipeline(file, toSetArgs(point).map(parseOverride));
    await planPipeline(p, catalogFor(p.dir));
  } catch (error) {
    if (!isTinyforgeError(error)) throw error;
    throw new TinyforgeError({ code: 'CONFIG_INVALID', file, message: `tune space point ${JSON.stringify(point)} is not a valid pipeline: ${(error as TinyforgeError).message}` });
  }
}

async function pool<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

export type { Store };

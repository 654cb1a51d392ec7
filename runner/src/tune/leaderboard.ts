import type { TuneConfig } from './config.js';
import type { Estimate, FitReport } from './estimator.js';
import type { Point } from './space.js';

export interface TrialRecord {
  /** 1-based, in the order trials were started; `tune apply --trial N`. */
  n: number;
  id: string;
  params: Point;
  /** Training length of this trial (fidelity), when the search varies it. */
  fidelity: number | null;
  rung: number;
  status: 'ok' | 'failed';
  error?: string;
  accuracy: { validation: number | null; test: number | null };
  /** The accuracy the ranking uses (config.rankOn). */
  rankAccuracy: number | null;
  estimate?: Estimate & { latencyMs: number };
  /** Measured by the C++ target: the network alone or the whole library; `estimate` then uses it. */
  measured?: { scope: 'network' | 'library'; flashBytes: number; ramBytes: number; instructions: number };
  /** The estimator's own figures (before any measurement replaced them). */
  predicted?: { flashBytes: number; ramBytes: number; instructions: number };
  feasible: boolean;
  violations: string[];
  /** Sum over constraints of how far over the limit, relative (0 when feasible). */
  excess: number;
  score: number | null;
  pareto: boolean;
  modelDigest?: string;
  blocks: { ran: number; cached: number };
  ms: number;
}

export interface Leaderboard {
  pipeline: string;
  pipelineFile: string;
  strategy: string;
  /** The param trials vary for training length (successive halving), if any. */
  fidelityParam: string | null;
  constraints: TuneConfig['constraints'];
  objective: TuneConfig['objective'];
  rankOn: TuneConfig['rankOn'];
  precision: TuneConfig['precision'];
  estimator: { fit?: FitReport; note: string };
  trials: TrialRecord[];
  /** Best feasible trial at full fidelity (n), or null. */
  best: number | null;
  /** When nothing is feasible: the trials closest to the constraints. */
  closest: number[];
  ms: number;
  finishedAt: string;
}

export function latencyMs(instructions: number, c: TuneConfig['constraints']): number {
  return (instructions * c.cyclesPerInstruction) / (c.clockMhz * 1000);
}

/** Checks constraints on the estimate; the excess orders infeasible trials by how close they are. */
export function checkConstraints(est: Estimate & { latencyMs: number }, c: TuneConfig['constraints']): { feasible: boolean; violations: string[]; excess: number } {
  const violations: string[] = [];
  let excess = 0;
  const check = (name: string, value: number, limit: number | undefined, unit: string) => {
    if (limit === undefined || value <= limit) return;
    violations.push(`${name} ${fmt(value)} ${unit} > ${fmt(limit)} ${unit}`);
    excess += value / limit - 1;
  };
  check('flash', est.flashBytes, c.flashBytes, 'B');
  check('RAM', est.ramBytes, c.ramBytes, 'B');
  check('latency', est.latencyMs, c.latencyMs, 'ms');
  return { feasible: violations.length === 0, violations, excess };
}

export function scoreOf(accuracy: number | null, est: (Estimate & { latencyMs: number }) | undefined, o: TuneConfig['objective']): number | null {
  if (accuracy === null || !est) return null;
  return o.accuracy * accuracy - o.latencyMsWeight * est.latencyMs - o.ramKbWeight * (est.ramBytes / 1024) - o.flashKbWeight * (est.flashBytes / 1024);
}

/** Marks the trials no other trial beats on accuracy, flash, RAM and latency at once. */
export function markPareto(trials: TrialRecord[]): void {
  const ok = trials.filter((t) => t.status === 'ok' && t.rankAccuracy !== null && t.estimate);
  for (const t of trials) t.pareto = false;
  for (const t of ok) {
    const a = t.estimate!;
    t.pareto = !ok.some((u) => {
      if (u === t) return false;
      const b = u.estimate!;
      const noWorse = u.rankAccuracy! >= t.rankAccuracy! && b.flashBytes <= a.flashBytes && b.ramBytes <= a.ramBytes && b.latencyMs <= a.latencyMs;
      const better = u.rankAccuracy! > t.rankAccuracy! || b.flashBytes < a.flashBytes || b.ramBytes < a.ramBytes || b.latencyMs < a.latencyMs;
      return noWorse && better;
    });
  }
}

/** Feasible first, then by score; infeasible by how far over the limits. */
export function rankTrials(trials: readonly TrialRecord[]): TrialRecord[] {
  return [...trials].sort((a, b) => {
    if (a.status !== b.status) return a.status === 'ok' ? -1 : 1;
    if (a.feasible !== b.feasible) return a.feasible ? -1 : 1;
    if (!a.feasible && a.excess !== b.excess) return a.excess - b.excess;
    if (a.rung !== b.rung) return b.rung - a.rung;
    const byScore = (b.score ?? -Infinity) - (a.score ?? -Infinity);
    if (byScore !== 0) return byScore;
    // Equal scores: the cheaper model (latency, then RAM, then flash), then the earlier trial.
    const ea = a.estimate;
    const eb = b.estimate;
    if (ea && eb) return ea.latencyMs - eb.latencyMs || ea.ramBytes - eb.ramBytes || ea.flashBytes - eb.flashBytes || a.n - b.n;
    return a.n - b.n;
  });
}

const fmt = (v: number): string => (v >= 100 ? String(Math.round(v)) : v.toFixed(2));
const kb = (b: number | undefined): string => (b === undefined ? '—' : `${(b / 1024).toFixed(1)}K`);

export function formatLeaderboard(lb: Leaderboard, limit = 15): string {
  const rows = rankTrials(lb.trials).slice(0, limit);
  const head = ['#', 'acc', 'test', 'flash', 'RAM', 'Minstr', 'ms', 'epochs', 'ok', 'params'];
  const lines = rows.map((t) => [
    `${t.n}${t.pareto ? '*' : ''}`,
    t.rankAccuracy?.toFixed(1) ?? '—',
    t.accuracy.test?.toFixed(1) ?? '—',
    kb(t.estimate?.flashBytes),
    kb(t.estimate?.ramBytes),
    t.estimate ? (t.estimate.instructions / 1e6).toFixed(2) : '—',
    t.estimate ? t.estimate.latencyMs.toFixed(1) : '—',
    String(t.fidelity ?? ''),
    t.status === 'failed' ? 'FAILED' : t.feasible ? 'yes' : 'no',
    Object.entries(t.params).map(([k, v]) => `${k}=${short(v)}`).join(' '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const out = [row(head), ...lines.map(row)];
  out.push(`(* = Pareto front; acc = ${lb.rankOn} accuracy, ${lb.precision}; flash/RAM/instructions = estimate for Cortex-M4, latency at ${lb.constraints.clockMhz} MHz)`);
  return out.join('\n');
}

function short(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

import type { Impulse } from '../impulse/load-impulse.js';
import { predictorOf } from '../impulse/load-impulse.js';
import type { TestCase } from './test-cases.js';
import type { Classification, TestTarget } from './test-targets.js';

export interface TargetResult {
  got: string | null;
  confidence: number;
  scores: Record<string, number>;
  pass: boolean;
  reason?: string;
}

export interface CaseResult {
  name: string;
  expected: TestCase['expected'];
  targets: Record<string, TargetResult>;
  pass: boolean;
}

export interface TestReport {
  pipeline: string;
  targets: string[];
  /** Targets left out because they cannot run here (`--target all` outside CI), with why. */
  skippedTargets?: Record<string, string>;
  cases: CaseResult[];
  passed: number;
  failed: number;
}

/**
 * Runs every case on every target. A case fails on a wrong label, a confidence under its
 * `minConfidence`, or (for every target but the reference) an int8 output that differs in any
 * element from the reference's.
 */
export async function runTestCases(impulse: Impulse, cases: readonly TestCase[], targets: readonly TestTarget[], options: { skipUnavailable?: boolean } = {}): Promise<TestReport> {
  const labels = (await predictorOf(impulse, 'int8')).labels;
  const reference: Map<string, Classification> = new Map();
  const results: CaseResult[] = cases.map((c) => ({ name: c.name, expected: c.expected, targets: {}, pass: true }));
  const skippedTargets: Record<string, string> = {};
  const ran: TestTarget[] = [];
  for (const target of targets) {
    let session;
    try {
      session = await target.open(impulse);
    } catch (error) {
      if (!options.skipUnavailable || target.name === 'ts') throw error;
      skippedTargets[target.name] = (error as Error).message.split('\n')[0]!;
      continue;
    }
    ran.push(target);
    try {
      for (const [i, c] of cases.entries()) {
        let outcome: TargetResult;
        try {
          const got = await session.classify(c.sample);
          if (target.name === 'ts') reference.set(c.name, got);
          outcome = judge(c, got, labels, target.name === 'ts' ? undefined : reference.get(c.name));
        } catch (error) {
          outcome = { got: null, confidence: 0, scores: {}, pass: false, reason: (error as Error).message };
        }
        results[i]!.targets[target.name] = outcome;
        if (!outcome.pass) results[i]!.pass = false;
      }
    } finally {
      await session.close();
    }
  }
  const passed = results.filter((r) => r.pass).length;
  return {
    pipeline: impulse.pipeline,
    targets: ran.map((t) => t.name),
    ...(Object.keys(skippedTargets).length > 0 ? { skippedTargets } : {}),
    cases: results,
    passed,
    failed: results.length - passed,
  };
}

function judge(c: TestCase, got: Classification, labels: readonly string[], reference?: Classification): TargetResult {
  let best = 0;
  for (let i = 1; i < got.scores.length; i++) if (got.scores[i]! > got.scores[best]!) best = i;
  const label = labels[best] ?? null;
  const confidence = got.scores[best] ?? 0;
  const scores = Object.fromEntries(labels.map((l, i) => [l, +(got.scores[i] ?? 0).toFixed(6)]));
  const result: TargetResult = { got: label, confidence: +confidence.toFixed(6), scores, pass: true };
  if (reference?.raw && got.raw) {
    const diff = got.raw.findIndex((v, i) => v !== reference.raw![i]);
    if (diff >= 0 || got.raw.length !== reference.raw.length) return { ...result, pass: false, reason: `int8 output differs from the reference at index ${diff} (${got.raw[diff]} vs ${reference.raw[diff]})` };
  }
  if (label !== c.expected.label) return { ...result, pass: false, reason: `expected ${c.expected.label}, got ${label} (${(100 * confidence).toFixed(1)} %)` };
  if (c.expected.minConfidence !== undefined && confidence < c.expected.minConfidence) {
    return { ...result, pass: false, reason: `confidence ${(100 * confidence).toFixed(1)} % is under ${(100 * c.expected.minConfidence).toFixed(1)} %` };
  }
  return result;
}

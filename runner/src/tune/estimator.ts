import type { DspFacts, NetworkFacts } from './model-facts.js';
import type { Measurement } from './measure.js';

/**
 * Cortex-M4 cost model of a candidate: flash, RAM and instructions of the network (from its IR)
 * plus the DSP front end (from its C emission and params). The network part is
 * `y = scale · prior(x) + offset` per quantity, where `prior` is a hand-set linear model and
 * `scale`/`offset` are fitted by least squares to real measurements (C++ target under QEMU)
 * when there are any. The DSP part is analytical only (no DSP measurement exists yet).
 */

export type Quantity = 'flashBytes' | 'ramBytes' | 'instructions';
export const QUANTITIES: readonly Quantity[] = ['flashBytes', 'ramBytes', 'instructions'];

/** Hand-set priors: CMSIS-style int8 kernels on Cortex-M4 (-Os), per op and per MAC. */
export function priorNetwork(n: NetworkFacts): Record<Quantity, number> {
  return {
    flashBytes: 1500 + n.constBytes + 700 * n.opKinds + 64 * n.ops,
    ramBytes: 64 + n.peakActivationBytes + 16 * n.ops,
    instructions: 4 * n.macs + 8 * n.activationElements + 500 * n.ops,
  };
}

/** DSP on the device: code + tables in flash; scratch + the float feature buffer in RAM. */
export function priorDsp(d: DspFacts | undefined): Record<Quantity, number> {
  if (!d) return { flashBytes: 0, ramBytes: 0, instructions: 0 };
  return { flashBytes: 6000 + d.tableBytes, ramBytes: d.scratchBytes + d.outputBytes, instructions: Math.round(3 * d.work) };
}

export interface Affine {
  scale: number;
  offset: number;
}

export interface EstimatorModel {
  network: Record<Quantity, Affine>;
  /** Fitted on whole-library measurements (DSP + network): applies to the totals. */
  library?: Record<Quantity, Affine>;
  /** Library instructions measured per part: network and DSP fitted separately. */
  instructionsSplit?: { nn: Affine; dsp: Affine };
  /** Points the fit used and its error; absent when nothing was measured. */
  fit?: FitReport;
}

export interface FitReport {
  points: number;
  /** What the measurements covered: the network alone, or the library with its DSP. */
  scope: 'network' | 'library';
  /** Mean |estimate − measured| / measured, prior alone vs fitted (leave-one-out when ≥ 3 points). */
  priorError: Record<Quantity, number>;
  fittedError: Record<Quantity, number>;
  method: string;
}

export const UNFITTED: EstimatorModel = {
  network: { flashBytes: { scale: 1, offset: 0 }, ramBytes: { scale: 1, offset: 0 }, instructions: { scale: 1, offset: 0 } },
};

export interface Estimate extends Record<Quantity, number> {
  nn: Record<Quantity, number>;
  dsp: Record<Quantity, number>;
}

export function estimate(model: EstimatorModel, net: NetworkFacts, dsp: DspFacts | undefined): Estimate {
  const p = priorNetwork(net);
  const nn = Object.fromEntries(QUANTITIES.map((q) => [q, Math.round(model.network[q].scale * p[q] + model.network[q].offset)])) as Record<Quantity, number>;
  const d = priorDsp(dsp);
  const total = (q: Quantity) => {
    const sum = nn[q] + d[q];
    const split = model.instructionsSplit;
    if (q === 'instructions' && split) return Math.round(split.nn.scale * p[q] + split.nn.offset + split.dsp.scale * d[q] + split.dsp.offset);
    const a = model.library?.[q];
    return a ? Math.round(a.scale * (p[q] + d[q]) + a.offset) : sum;
  };
  return { nn, dsp: d, flashBytes: total('flashBytes'), ramBytes: total('ramBytes'), instructions: total('instructions') };
}

/** Least-squares affine fit of measured on prior; one point fits the scale only. */
function fitAffine(xs: readonly number[], ys: readonly number[]): Affine {
  if (xs.length === 0) return { scale: 1, offset: 0 };
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  // Too little spread to separate slope from offset (or an implausible slope): keep the
  // prior's shape and fit only its scale, which extrapolates safely.
  const spread = (Math.max(...xs) - Math.min(...xs)) / mx;
  const ratio = ys.reduce((a, b) => a + b, 0) / xs.reduce((a, b) => a + b, 0);
  if (n < 3 || spread < 0.2) return { scale: ratio, offset: 0 };
  const scale = xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / sxx;
  if (scale < 0.25 * ratio || scale > 4 * ratio) return { scale: ratio, offset: 0 };
  return { scale, offset: my - scale * mx };
}

const relErr = (est: number, real: number): number => Math.abs(est - real) / real;
const mean = (v: readonly number[]): number => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : Number.NaN);

/** Fits the network coefficients to measurements and reports the error before and after. */
export function fitEstimator(all: readonly { net: NetworkFacts; dsp?: DspFacts | undefined; measured: Measurement }[]): EstimatorModel {
  // Whole-library measurements are the better evidence (they include the DSP); use them when there are any.
  const libraryPoints = all.filter((p) => p.measured.scope === 'library');
  const scope = libraryPoints.length > 0 ? 'library' : 'network';
  const points = scope === 'library' ? libraryPoints : all;
  if (points.length === 0) return UNFITTED;
  const priorOf = (p: { net: NetworkFacts; dsp?: DspFacts | undefined }, q: Quantity) => priorNetwork(p.net)[q] + (scope === 'library' ? priorDsp(p.dsp)[q] : 0);
  const network = {} as Record<Quantity, Affine>;
  const priorError = {} as Record<Quantity, number>;
  const fittedError = {} as Record<Quantity, number>;
  for (const q of QUANTITIES) {
    const usable = points.filter((p) => Number.isFinite(p.measured[q]) && p.measured[q] > 0);
    const xs = usable.map((p) => priorOf(p, q));
    const ys = usable.map((p) => p.measured[q]);
    network[q] = fitAffine(xs, ys);
    priorError[q] = mean(xs.map((x, i) => relErr(x, ys[i]!)));
    // Leave-one-out: the error on a model the fit did not see.
    fittedError[q] =
      xs.length >= 3
        ? mean(xs.map((_, i) => {
            const f = fitAffine(xs.filter((_, j) => j !== i), ys.filter((_, j) => j !== i));
            return relErr(f.scale * xs[i]! + f.offset, ys[i]!);
          }))
        : mean(xs.map((x, i) => relErr(network[q].scale * x + network[q].offset, ys[i]!)));
  }
  if (scope === 'library') {
    // The target reports network and DSP instructions apart: fit each part on its own prior.
    const split = points.filter((p) => p.measured.nnInstructions !== undefined && p.measured.dspInstructions !== undefined);
    let instructionsSplit: EstimatorModel['instructionsSplit'];
    if (split.length === points.length && split.length > 0) {
      const nnX = split.map((p) => priorNetwork(p.net).instructions);
      const dspX = split.map((p) => priorDsp(p.dsp).instructions);
      const nnY = split.map((p) => p.measured.nnInstructions!);
      const dspY = split.map((p) => p.measured.dspInstructions!);
      const total = split.map((p) => p.measured.instructions);
      const fitBoth = (skip: number) => ({ nn: fitAffine(nnX.filter((_, j) => j !== skip), nnY.filter((_, j) => j !== skip)), dsp: fitAffine(dspX.filter((_, j) => j !== skip), dspY.filter((_, j) => j !== skip)) });
      const at = (f: { nn: Affine; dsp: Affine }, i: number) => f.nn.scale * nnX[i]! + f.nn.offset + f.dsp.scale * dspX[i]! + f.dsp.offset;
      instructionsSplit = fitBoth(-1);
      fittedError.instructions = mean(total.map((y, i) => relErr(at(split.length >= 3 ? fitBoth(i) : instructionsSplit!, i), y)));
    }
    return { network: UNFITTED.network, library: network, ...(instructionsSplit ? { instructionsSplit } : {}), fit: { points: points.length, scope, priorError, fittedError, method: points.length >= 3 ? 'affine least squares (scale only when the sizes barely differ), leave-one-out error' : 'scale fit, in-sample error' } };
  }
  return { network, fit: { points: points.length, scope, priorError, fittedError, method: points.length >= 3 ? 'affine least squares (scale only when the sizes barely differ), leave-one-out error' : 'scale fit, in-sample error' } };
}

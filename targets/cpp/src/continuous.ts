import { TinyforgeError } from '@tinyforge/sdk';

/**
 * Continuous mode of the library: the post-processing params (contract:
 * runner/src/calibrate/postprocess.ts) and slicing, resolved to the `#define`s that
 * tinyforge-sdk/classifier/tf_continuous.cpp is compiled with.
 */
export interface ContinuousOptions {
  /** Audio between two inferences, ms (the slice fed to run_classifier_continuous). */
  strideMs: number;
  averageWindowMs: number;
  detectionThreshold: number;
  suppressionMs: number;
  /** Labels that may fire (default: every label not starting with `_` and not noise/unknown/silence, as calibrate). */
  keywords?: readonly string[];
}

export interface ContinuousLayout {
  /** Raw values per slice (stride frames × axes). */
  sliceSize: number;
  slicesPerWindow: number;
  windowMs: number;
  /** `n` of the contract: score vectors averaged. */
  averageWindows: number;
  keywords: number[];
}

export const DEFAULT_CONTINUOUS = { strideMs: 250, averageWindowMs: 250, detectionThreshold: 0.6, suppressionMs: 1000 } as const;

/** The default keyword rule of `tinyforge calibrate`. */
export function defaultKeywords(labels: readonly string[]): string[] {
  return labels.filter((l) => !/^_|noise|unknown|silence/i.test(l));
}

export function continuousLayout(c: ContinuousOptions, labels: readonly string[], rawCount: number, axes: number, frequency: number | undefined): ContinuousLayout {
  const bad = (message: string, hint?: string) => new TinyforgeError({ code: 'PARAMS_INVALID', path: 'continuous', message, ...(hint ? { hint } : {}) });
  if (!frequency || frequency <= 0) throw bad('continuous mode needs a time-series input with a known frequency', 'set frequency (and rawFrames) in the cpp target params');
  if (!(c.strideMs > 0) || !(c.averageWindowMs > 0) || !(c.suppressionMs >= 0) || !(c.detectionThreshold > 0 && c.detectionThreshold <= 1)) throw bad('continuous: strideMs and averageWindowMs must be > 0, suppressionMs ≥ 0, detectionThreshold in (0, 1]');
  const windowFrames = rawCount / axes;
  // Same rounding as calibrate.ts, so window k starts at k · stride like the TS simulation.
  const strideFrames = Math.round((c.strideMs / 1000) * frequency);
  if (strideFrames < 1 || !Number.isInteger(windowFrames) || windowFrames % strideFrames !== 0)
    throw bad(`continuous: the window (${windowFrames} frames) is not a whole number of strides (${strideFrames} frames at ${frequency} Hz)`, 'pick strideMs dividing the window length, e.g. 250 or 500 for 1 s');
  const names = c.keywords ?? defaultKeywords(labels);
  const keywords = names.map((k) => {
    const i = labels.indexOf(k);
    if (i < 0) throw bad(`continuous: keyword "${k}" is not a label of the model`, `labels: ${labels.join(', ')}`);
    return i;
  });
  if (keywords.length === 0) throw bad('continuous: no keyword labels', 'set continuous.keywords');
  return {
    sliceSize: strideFrames * axes,
    slicesPerWindow: windowFrames / strideFrames,
    windowMs: (windowFrames / frequency) * 1000,
    averageWindows: Math.max(1, Math.round(c.averageWindowMs / c.strideMs)),
    keywords,
  };
}

/** A double as a C double literal that parses back to the same value (JS prints the shortest round trip). */
export function cDouble(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

export function continuousDefines(c: ContinuousOptions | undefined, layout: ContinuousLayout | undefined): string {
  if (!c || !layout) return '#define EI_CLASSIFIER_CONTINUOUS 0';
  return [
    '#define EI_CLASSIFIER_CONTINUOUS 1',
    `#define EI_CLASSIFIER_SLICE_SIZE ${layout.sliceSize}`,
    `#define EI_CLASSIFIER_SLICES_PER_MODEL_WINDOW ${layout.slicesPerWindow}`,
    `#define TF_CONTINUOUS_STRIDE_MS ${cDouble(c.strideMs)}`,
    `#define TF_CONTINUOUS_WINDOW_MS ${cDouble(layout.windowMs)}`,
    `#define TF_CONTINUOUS_AVERAGE_WINDOWS ${layout.averageWindows}`,
    `#define TF_CONTINUOUS_THRESHOLD ${cDouble(c.detectionThreshold)}`,
    `#define TF_CONTINUOUS_SUPPRESSION_MS ${cDouble(c.suppressionMs)}`,
    `#define TF_CONTINUOUS_KEYWORD_COUNT ${layout.keywords.length}`,
    `#define TF_CONTINUOUS_KEYWORDS { ${layout.keywords.join(', ')} }`,
  ].join('\n');
}

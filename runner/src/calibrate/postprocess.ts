/**
 * Post-processing of a continuous classifier (Edge Impulse's "performance calibration" stage),
 * as a small pure state machine meant to be ported bit for bit (e.g. to the C++ continuous mode).
 *
 * ## Contract
 * Inputs, once per inference (every `strideMs` of audio, in stream order): `scores`, one float32
 * per label in model order. Params: `averageWindowMs`, `detectionThreshold` (0..1),
 * `suppressionMs`, and `keywords` (label indices that may fire).
 * 1. `n = max(1, round(averageWindowMs / strideMs))` (JavaScript `Math.round`, i.e. half up).
 * 2. Keep the last `n` score vectors in a ring. The average of label `l` is
 *    `fround(sum / count)` where `sum` adds, in float32 (`fround` after every addition), the
 *    label's scores from the oldest kept vector to the newest, and `count` is how many vectors
 *    are kept (fewer than `n` at the start of the stream).
 * 3. Among `keywords`, the candidate is the label with the highest average; ties go to the
 *    lowest index.
 * 4. The inference index `i` (0-based) ends at time `t = i · strideMs + windowMs` ms of the stream.
 *    It fires when `average ≥ detectionThreshold` and `t ≥ suppressedUntil` (initially −∞);
 *    then `suppressedUntil = t + suppressionMs`.
 * A detection is `{ index, timeMs: t, label, score: average }`.
 */

export interface PostProcessParams {
  averageWindowMs: number;
  detectionThreshold: number;
  suppressionMs: number;
}

export interface Detection {
  index: number;
  timeMs: number;
  label: number;
  score: number;
}

export class PostProcessor {
  private readonly n: number;
  private readonly ring: Float32Array[] = [];
  private next = 0;
  private index = 0;
  private suppressedUntil = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly params: PostProcessParams,
    private readonly keywords: readonly number[],
    private readonly strideMs: number,
    private readonly windowMs: number,
  ) {
    this.n = Math.max(1, Math.round(params.averageWindowMs / strideMs));
  }

  /** Feeds one inference; returns the detection it triggers, if any. */
  push(scores: ArrayLike<number>): Detection | null {
    const copy = Float32Array.from(scores);
    if (this.ring.length < this.n) this.ring.push(copy);
    else this.ring[this.next] = copy;
    this.next = (this.next + 1) % this.n;
    const count = this.ring.length;
    // Oldest first: when full, the oldest sits at `next`.
    const start = count < this.n ? 0 : this.next;
    let best = -1;
    let bestAvg = Number.NEGATIVE_INFINITY;
    for (const label of this.keywords) {
      let sum = 0;
      for (let k = 0; k < count; k++) sum = Math.fround(sum + this.ring[(start + k) % count]![label]!);
      const avg = Math.fround(sum / count);
      if (avg > bestAvg) (bestAvg = avg), (best = label);
    }
    const i = this.index++;
    const timeMs = i * this.strideMs + this.windowMs;
    if (best < 0 || bestAvg < this.params.detectionThreshold || timeMs < this.suppressedUntil) return null;
    this.suppressedUntil = timeMs + this.params.suppressionMs;
    return { index: i, timeMs, label: best, score: bestAvg };
  }
}

/** Runs the post-processor over a whole stream of inferences. */
export function postProcess(scores: readonly ArrayLike<number>[], keywords: readonly number[], params: PostProcessParams, strideMs: number, windowMs: number): Detection[] {
  const p = new PostProcessor(params, keywords, strideMs, windowMs);
  const out: Detection[] = [];
  for (const s of scores) {
    const d = p.push(s);
    if (d) out.push(d);
  }
  return out;
}

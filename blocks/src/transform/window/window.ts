/**
 * Sliding windows over interleaved frames, Edge Impulse style: windows start every `stride`
 * frames while they fit; a signal shorter than one window gives one zero-padded window when
 * `padZeros` is set (EI's "zero-pad data"), none otherwise.
 */
export function windowStarts(frames: number, size: number, stride: number, padZeros: boolean): number[] {
  if (size <= 0 || stride <= 0) throw new RangeError('window size and stride must be positive');
  if (frames < size) return padZeros && frames > 0 ? [0] : [];
  const starts: number[] = [];
  for (let s = 0; s + size <= frames; s += stride) starts.push(s);
  return starts;
}

/** Frames [start, start+size) of interleaved values; zero past the end. */
export function cutWindow(values: Float32Array, axes: number, start: number, size: number): Float32Array {
  const out = new Float32Array(size * axes);
  const from = start * axes;
  const to = Math.min(values.length, (start + size) * axes);
  if (to > from) out.set(values.subarray(from, to));
  return out;
}

export interface LabelRange {
  label: string;
  /** Frames, `end` exclusive. */
  start: number;
  end: number;
}

/** meta.labelRanges as written by ingest (`labels.segments: annotate`), or undefined. */
export function parseLabelRanges(value: unknown): LabelRange[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter(
    (r): r is LabelRange => typeof r === 'object' && r !== null && typeof r.label === 'string' && typeof r.start === 'number' && typeof r.end === 'number',
  );
}

/** The label covering the largest part of [start, start+size), if it covers ≥ minCoverage of it. */
export function labelOfWindow(ranges: readonly LabelRange[], start: number, size: number, minCoverage: number): string | null {
  const cover = new Map<string, number>();
  for (const r of ranges) {
    const overlap = Math.min(r.end, start + size) - Math.max(r.start, start);
    if (overlap > 0) cover.set(r.label, (cover.get(r.label) ?? 0) + overlap);
  }
  let best: string | null = null;
  let bestFrames = 0;
  for (const [label, frames] of cover) if (frames > bestFrames) { best = label; bestFrames = frames; }
  return bestFrames >= minCoverage * size ? best : null;
}

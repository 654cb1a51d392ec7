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

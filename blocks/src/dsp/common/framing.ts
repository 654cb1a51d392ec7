/**
 * Frame layout of the audio blocks (speechpy fork, implementation version ≥ 2): frame length and
 * stride in samples are `ceil(fs·seconds)`, except that a product within 0.001 above an integer
 * is floored (0.03·16000 = 480.00000000000006 gives 480). No padding; the remainder is dropped.
 */
export function samplesFor(frequency: number, seconds: number): number {
  const v = frequency * seconds;
  const floor = Math.floor(v);
  return v > floor && v - floor < 0.001 ? floor : Math.ceil(v);
}

export interface FrameLayout {
  /** Samples per frame. */
  length: number;
  /** Samples between frame starts. */
  stride: number;
  /** Number of whole frames (may be ≤ 0 when the signal is shorter than a frame). */
  count: number;
}

export function frameLayout(frequency: number, frameLength: number, frameStride: number, signalLength: number): FrameLayout {
  const length = samplesFor(frequency, frameLength);
  const stride = samplesFor(frequency, frameStride);
  const count = stride > 0 ? Math.floor((signalLength - (length - stride)) / stride) : 0;
  return { length, stride, count };
}

/** EI refuses more frames than this (the C++ SDK sizes its buffers on it). */
export const MAX_FRAMES = 500;

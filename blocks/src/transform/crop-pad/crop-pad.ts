/**
 * Crop or zero-pad interleaved frames to an exact length. `align` says which part of the signal
 * is kept (crop) or where the signal sits (pad): `start` keeps the beginning, `end` the end,
 * `center` the middle (padding splits evenly, an odd frame goes to the end).
 */
export type Align = 'start' | 'center' | 'end';

export function fitLength(values: Float32Array, axes: number, target: number, align: Align, padValue = 0): Float32Array {
  const frames = Math.floor(values.length / axes);
  const out = new Float32Array(target * axes);
  if (padValue !== 0) out.fill(padValue);
  const diff = target - frames;
  const shift = align === 'start' ? 0 : align === 'end' ? diff : Math.trunc(diff / 2);
  // output frame f takes input frame f - shift, when that exists
  const fStart = Math.max(0, shift);
  const fEnd = Math.min(target, frames + shift);
  if (fEnd > fStart) out.set(values.subarray((fStart - shift) * axes, (fEnd - shift) * axes), fStart * axes);
  return out;
}

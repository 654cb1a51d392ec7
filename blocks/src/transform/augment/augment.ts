import { createHash } from 'node:crypto';

/**
 * Augmentation kernels: a seeded generator, a time shift and noise mixing at a target SNR.
 * Randomness comes only from `sampleRng(seed, id, copy)`, so a sample's augmented copies are the
 * same on every machine and do not depend on which other samples exist (per-sample caching).
 */

/** sfc32 generator seeded with 128 bits; returns floats in [0, 1). */
export function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** Generator for one augmented copy of one sample, from sha256(seed, sample id, copy). */
export function sampleRng(seed: number | string, sampleId: string, copy: number): () => number {
  const h = createHash('sha256').update(`${seed}\u0000${sampleId}\u0000${copy}`).digest();
  const rng = sfc32(h.readUInt32LE(0), h.readUInt32LE(4), h.readUInt32LE(8), h.readUInt32LE(12));
  for (let i = 0; i < 12; i++) rng(); // let the state mix
  return rng;
}

/** Shifts frames by `shift` (positive = later), filling with zeros. */
export function timeShift(values: Float32Array, axes: number, shift: number): Float32Array {
  const out = new Float32Array(values.length);
  const frames = values.length / axes;
  if (Math.abs(shift) >= frames) return out;
  if (shift >= 0) out.set(values.subarray(0, (frames - shift) * axes), shift * axes);
  else out.set(values.subarray(-shift * axes));
  return out;
}

/** Mean square over all values. */
export function power(values: ArrayLike<number>, from = 0, to = values.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += values[i]! * values[i]!;
  return to > from ? s / (to - from) : 0;
}

/**
 * Adds `noise[offset …]` (mono, wrapping around) to every axis of `values`, scaled so that
 * signal power / noise power = 10^(snrDb/10). Returns the gain used, 0 when either is silent.
 */
export function mixNoise(values: Float32Array, axes: number, noise: Float32Array, offset: number, snrDb: number): { mixed: Float32Array; gain: number } {
  const frames = values.length / axes;
  const segment = new Float32Array(frames);
  for (let f = 0; f < frames; f++) segment[f] = noise[(offset + f) % noise.length]!;
  const ps = power(values);
  const pn = power(segment);
  if (ps === 0 || pn === 0) return { mixed: values.slice(), gain: 0 };
  const gain = Math.sqrt(ps / (pn * 10 ** (snrDb / 10)));
  const mixed = new Float32Array(values.length);
  for (let f = 0; f < frames; f++) {
    const n = segment[f]! * gain;
    for (let a = 0; a < axes; a++) mixed[f * axes + a] = values[f * axes + a]! + n;
  }
  return { mixed, gain };
}

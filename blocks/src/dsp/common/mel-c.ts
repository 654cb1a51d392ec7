/** C version of the sparse mel filterbank: `static void <p>_mel(const float *power, float *mel)`. */
import { cIndexType, cInt, cTable, type CInputInfo } from '../emit-c.js';
import { audioFrames, FilterbankCache, type MelFrameConfig } from './audio.js';
import { DspError } from './dsp-error.js';
import type { MelFilterbank } from './mel.js';

/**
 * What MFCC's and MFE's C emitters share: one axis at a known rate, its frame layout, the mel
 * filterbank and the sizes derived from them (`used`: samples of a frame the FFT reads).
 */
export function melFrontEnd(block: string, config: MelFrameConfig, input: CInputInfo) {
  if (input.axes !== 1) throw new DspError(`${block} takes a single axis, found ${input.axes}`);
  if (!input.frequency) throw new DspError(`${block} needs the sampling frequency`);
  const length = input.frames;
  const layout = audioFrames(input.frequency, config.frameLength, config.frameStride, length);
  const bank = new FilterbankCache(config.numFilters, config.fftLength, config.lowFrequency, config.highFrequency).get(input.frequency);
  const n = config.fftLength;
  return { length, layout, bank, n, bins: n / 2 + 1, nf: config.numFilters, frames: layout.count, used: Math.min(layout.length, n) };
}

/** `weightScale` multiplies every weight (for unscaled powers); `zeroTo1e10: false` leaves an energy of exactly 0 as 0 (the caller's log handles it). */
export function emitMelC(p: string, bank: MelFilterbank, opts: { zeroTo1e10?: boolean; weightScale?: number } = {}): string {
  const scale = opts.weightScale ?? 1;
  // The triangles' zero end points are left out (adding 0·power changes no sum); the block
  // guarantees every filter has a non-zero weight, so each filter's loop runs at least once.
  const start: number[] = [];
  const offset: number[] = [0];
  const weights: number[] = [];
  for (let f = 0; f < bank.numFilters; f++) {
    let a = bank.offset[f]!;
    let b = bank.offset[f + 1]!;
    while (a < b && bank.weights[a] === 0) a++;
    while (b > a && bank.weights[b - 1] === 0) b--;
    if (a === b) throw new DspError(`mel filter ${f} has no non-zero weight`);
    start.push(bank.start[f]! + (a - bank.offset[f]!));
    for (let i = a; i < b; i++) weights.push(bank.weights[i]! * scale);
    offset.push(weights.length);
  }
  return `${cTable(cIndexType(bank.bins), `${p}_mel_start`, start, cInt)}
${cTable(cIndexType(weights.length), `${p}_mel_offset`, offset, cInt)}
${cTable('float', `${p}_mel_w`, weights)}
/* Mel energies of one power spectrum (${bank.numFilters} filters)${opts.zeroTo1e10 === false ? '' : '; an energy of exactly 0 becomes 1e-10'}. */
TF_NOINLINE static void ${p}_mel(const float *power, float *mel) {
  const float *w = ${p}_mel_w;
  int f;
  for (f = 0; f < ${bank.numFilters}; f++) {
    const float *pw = power + ${p}_mel_start[f], *end = ${p}_mel_w + ${p}_mel_offset[f + 1];
    float sum = 0.0f;
    do sum += *w++ * *pw++; while (w < end);
    mel[f] = ${opts.zeroTo1e10 === false ? 'sum' : 'sum == 0.0f ? 1e-10f : sum'};
  }
}
`;
}

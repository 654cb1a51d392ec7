/** C version of the sparse mel filterbank: `static void <p>_mel(const float *power, float *mel)`. */
import { cIndexType, cInt, cTable } from '../emit-c.js';
import type { MelFilterbank } from './mel.js';

export function emitMelC(p: string, bank: MelFilterbank): string {
  return `${cTable(cIndexType(bank.bins), `${p}_mel_start`, bank.start, cInt)}
${cTable(cIndexType(bank.weights.length), `${p}_mel_offset`, bank.offset, cInt)}
${cTable('float', `${p}_mel_w`, bank.weights)}
/* Mel energies of one power spectrum (${bank.numFilters} filters); an energy of exactly 0 becomes 1e-10. */
static void ${p}_mel(const float *power, float *mel) {
  int f, w;
  for (f = 0; f < ${bank.numFilters}; f++) {
    const float *pw = power + ${p}_mel_start[f];
    const int w0 = ${p}_mel_offset[f], w1 = ${p}_mel_offset[f + 1];
    float sum = 0.0f;
    for (w = w0; w < w1; w++) sum += ${p}_mel_w[w] * pw[w - w0];
    mel[f] = sum == 0.0f ? 1e-10f : sum;
  }
}
`;
}

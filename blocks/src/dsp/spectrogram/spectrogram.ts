/**
 * Spectrogram kernel (Edge Impulse `spectrogram`, implementation version 4): the unscaled signal
 * in rectangular frames cropped/zero-padded to the FFT length, power |X|²/n per bin, dB,
 * noise-floor normalisation clipped at 0 only (v4 has no upper clip). float64 throughout.
 */
import { audioFrames } from '../common/audio.js';
import { createRealFftPlan, powerSpectrum, type RealFftPlan } from '../common/fft.js';

export interface SpectrogramConfig {
  frameLength: number;
  frameStride: number;
  fftLength: number;
  noiseFloorDb: number;
}

export interface SpectrogramPlan {
  config: SpectrogramConfig;
  fft: RealFftPlan;
  power: Float64Array;
}

export function createSpectrogramPlan(config: SpectrogramConfig): SpectrogramPlan {
  const fft = createRealFftPlan(config.fftLength);
  return { config, fft, power: new Float64Array(fft.bins) };
}

/** [frames · axes, bins]: axes are stacked one after the other, like Edge Impulse concatenates them. */
export function spectrogramShape(config: SpectrogramConfig, frequency: number, length: number, axes = 1): [number, number] {
  const layout = audioFrames(frequency, config.frameLength, config.frameStride, length);
  return [layout.count * axes, config.fftLength / 2 + 1];
}

/** Spectrogram of an interleaved signal (frames × axes), axis by axis; `out` holds frames·axes × bins values. */
export function spectrogram(plan: SpectrogramPlan, values: ArrayLike<number>, axes: number, frequency: number, out: Float32Array): void {
  const { config, fft, power } = plan;
  const length = values.length / axes;
  const layout = audioFrames(frequency, config.frameLength, config.frameStride, length);
  const bins = fft.bins;
  const floor = config.noiseFloorDb;
  const range = -floor + 12;
  for (let r = 0; r < layout.count * axes; r++) {
    const ax = Math.floor(r / layout.count);
    const f = r - ax * layout.count;
    powerSpectrum(fft, values, f * layout.stride * axes + ax, layout.length, axes, power, 0);
    const row = r * bins;
    for (let k = 0; k < bins; k++) {
      const p = power[k]!;
      const x = (10 * Math.log10(p < 1e-30 ? 1e-30 : p) - floor) / range;
      out[row + k] = x < 0 ? 0 : x;
    }
  }
}

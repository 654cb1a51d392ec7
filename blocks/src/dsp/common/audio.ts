/** Shared pieces of the audio kernels (MFCC, MFE, spectrogram): framing checks and plan caches. */
import { frameLayout, MAX_FRAMES, type FrameLayout } from './framing.js';
import { createMelFilterbank, type MelFilterbank } from './mel.js';

import { DspError } from './dsp-error.js';

/** The params MFCC and MFE share: framing, FFT and the mel filterbank. */
export interface MelFrameConfig {
  frameLength: number;
  frameStride: number;
  numFilters: number;
  fftLength: number;
  lowFrequency: number;
  /** 0 means half the sampling frequency. */
  highFrequency: number;
}

/** Frame layout of a signal, or an error a user can act on. */
export function audioFrames(frequency: number, frameLength: number, frameStride: number, signalLength: number): FrameLayout {
  const layout = frameLayout(frequency, frameLength, frameStride, signalLength);
  if (layout.length < 1 || layout.stride < 1) {
    throw new DspError(`frame length and stride must be at least one sample at ${frequency} Hz (got ${layout.length} and ${layout.stride})`);
  }
  if (layout.count < 1) {
    throw new DspError(`the window (${signalLength} samples) is shorter than one frame (${layout.length} samples)`);
  }
  if (layout.count > MAX_FRAMES) {
    throw new DspError(`${layout.count} frames is more than ${MAX_FRAMES}; increase frame_stride or shorten the window`);
  }
  return layout;
}

/** Mel filterbank per sampling frequency: params fix everything else, so a dataset builds one. */
export class FilterbankCache {
  private readonly banks = new Map<number, MelFilterbank>();
  constructor(
    private readonly numFilters: number,
    private readonly fftLength: number,
    private readonly lowFrequency: number,
    private readonly highFrequency: number,
  ) {}

  get(frequency: number): MelFilterbank {
    let bank = this.banks.get(frequency);
    if (!bank) {
      const high = this.highFrequency === 0 ? frequency / 2 : this.highFrequency;
      if (high > frequency / 2) {
        throw new DspError(`high_frequency ${high} Hz is above Nyquist (${frequency / 2} Hz at ${frequency} Hz)`);
      }
      if (this.lowFrequency >= high) {
        throw new DspError(`low_frequency ${this.lowFrequency} Hz must be below the high frequency ${high} Hz`);
      }
      bank = createMelFilterbank(this.numFilters, this.fftLength, frequency, this.lowFrequency, high);
      this.banks.set(frequency, bank);
    }
    return bank;
  }
}

/** A Float64Array that grows on demand and is otherwise reused. */
export class Scratch {
  private buffer = new Float64Array(0);
  get(size: number): Float64Array {
    if (this.buffer.length < size) this.buffer = new Float64Array(Math.max(size, Math.ceil(this.buffer.length * 1.5)));
    return this.buffer;
  }
}

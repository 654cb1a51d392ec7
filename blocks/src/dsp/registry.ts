import type { BlockRegistration } from '../registration.js';
import { registerBlock } from '../registration.js';

/** Built-in dsp blocks. Add one line per block: registerBlock(import.meta.url, './<name>/index.js', {...}). */
export const dspBlocks: readonly BlockRegistration[] = [
  registerBlock(import.meta.url, './mfcc/index.js', {
    id: 'dsp/mfcc', version: '1.0.1', kind: 'dsp',
    description: 'MFCC: mel-frequency cepstral coefficients for speech and keyword spotting (Edge Impulse compatible)',
  }),
  registerBlock(import.meta.url, './mfe/index.js', {
    id: 'dsp/mfe', version: '1.0.1', kind: 'dsp',
    description: 'MFE: mel filterbank energies in dB, quantised to 8 bits, for non-voice audio (Edge Impulse compatible)',
  }),
  registerBlock(import.meta.url, './spectrogram/index.js', {
    id: 'dsp/spectrogram', version: '1.0.0', kind: 'dsp',
    description: 'Spectrogram: normalised power per FFT bin per frame, for audio and vibration (Edge Impulse compatible)',
  }),
  registerBlock(import.meta.url, './spectral/index.js', {
    id: 'dsp/spectral-analysis', version: '1.0.0', kind: 'dsp',
    description: 'Spectral analysis: filter, then time statistics and FFT max-hold powers or wavelet statistics per axis (Edge Impulse compatible)',
  }),
  registerBlock(import.meta.url, './raw/index.js', {
    id: 'dsp/raw', version: '1.0.0', kind: 'dsp',
    description: 'Raw data: the window itself (interleaved frames × axes), optionally scaled (Edge Impulse compatible)',
  }),
  registerBlock(import.meta.url, './flatten/index.js', {
    id: 'dsp/flatten', version: '1.0.0', kind: 'dsp',
    description: 'Flatten: per-axis statistics of the window (average, min, max, RMS, stdev, skewness, kurtosis; Edge Impulse compatible)',
  }),
  registerBlock(import.meta.url, './image/index.js', {
    id: 'dsp/image', version: '1.0.0', kind: 'dsp',
    description: 'Image: resize/crop, RGB or grayscale, scaled to 0..1, HWC (Edge Impulse compatible)',
  }),
];

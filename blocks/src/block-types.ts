// Generated from src/registry.ts by runner/src/plugins/block-types.ts (the test there checks it is current; TINYFORGE_UPDATE_TYPES=1 rewrites it). Do not edit.
import type { BlockParamsInput } from '@tinyforge/sdk';

declare module '@tinyforge/sdk' {
  interface BlockRegistry {
    'dsp/flatten@1': BlockParamsInput<(typeof import('./dsp/flatten/index.js'))['default']>;
    'dsp/image@1': BlockParamsInput<(typeof import('./dsp/image/index.js'))['default']>;
    'dsp/mfcc@1': BlockParamsInput<(typeof import('./dsp/mfcc/index.js'))['default']>;
    'dsp/mfe@1': BlockParamsInput<(typeof import('./dsp/mfe/index.js'))['default']>;
    'dsp/raw@1': BlockParamsInput<(typeof import('./dsp/raw/index.js'))['default']>;
    'dsp/spectral-analysis@1': BlockParamsInput<(typeof import('./dsp/spectral/index.js'))['default']>;
    'dsp/spectrogram@1': BlockParamsInput<(typeof import('./dsp/spectrogram/index.js'))['default']>;
    'ingest/files@1': BlockParamsInput<(typeof import('./ingest/files/index.js'))['default']>;
    'learn/anomaly@1': BlockParamsInput<(typeof import('./learn/anomaly/index.js'))['default']>;
    'learn/classifier@1': BlockParamsInput<(typeof import('./learn/classifier/index.js'))['default']>;
    'learn/regression@1': BlockParamsInput<(typeof import('./learn/regression/index.js'))['default']>;
    'transform/augment@1': BlockParamsInput<(typeof import('./transform/augment/index.js'))['default']>;
    'transform/crop-pad@1': BlockParamsInput<(typeof import('./transform/crop-pad/index.js'))['default']>;
    'transform/normalize@1': BlockParamsInput<(typeof import('./transform/normalize/index.js'))['default']>;
    'transform/relabel@1': BlockParamsInput<(typeof import('./transform/relabel/index.js'))['default']>;
    'transform/resample@1': BlockParamsInput<(typeof import('./transform/resample/index.js'))['default']>;
    'transform/window@1': BlockParamsInput<(typeof import('./transform/window/index.js'))['default']>;
  }
}

import type { JsonObject, SensorInfo } from '@tinyforge/sdk';

/**
 * What a reader makes of one file (or one part of it): a signal with its sensors and timing,
 * before labels, split and ids are decided. Values are interleaved frame by frame.
 */
export interface Recording {
  sensors: SensorInfo[];
  /** ms between frames; 0 for images. */
  intervalMs: number;
  values: Float32Array;
  /** Logical shape: `[frames, axes]` for time series, `[height, width, channels]` for images. */
  shape: number[];
  /** Distinguishes several recordings in one file (CSV group columns); enters the sample id. */
  part?: string;
  /** A label the content itself carries (CSV label column); overrides folder/file-name labels. */
  label?: string | null;
  meta?: JsonObject;
}

/** Number of frames (time steps) of a time-series recording. */
export function framesOf(rec: Pick<Recording, 'shape'>): number {
  return rec.shape[0] ?? 0;
}

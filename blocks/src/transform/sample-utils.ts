import { badInput, type Sample, type TinyforgeError } from '@tinyforge/sdk';

/** Shared helpers of the per-sample transforms. */

/** The file a sample came from (ingest puts it in meta.source), else its id: errors name it. */
export function sourceOf(sample: Pick<Sample, 'id' | 'meta'>): string {
  const source = sample.meta?.['source'];
  return typeof source === 'string' ? source : sample.id;
}

export function sampleError(sample: Pick<Sample, 'id' | 'meta'>, reason: string): TinyforgeError {
  return badInput(sourceOf(sample), `sample ${sample.id}: ${reason}`);
}

/** Axes per frame: from shape, else sensors. */
export function axesOf(sample: Pick<Sample, 'shape' | 'sensors'>): number {
  return sample.shape?.[1] ?? Math.max(1, sample.sensors.length);
}

/** A time series' frame interval, or a BAD_INPUT error for images/features (interval 0). */
export function requireInterval(sample: Sample, block: string): number {
  if (!(sample.intervalMs > 0)) throw sampleError(sample, `${block} needs a time series (intervalMs is ${sample.intervalMs})`);
  return sample.intervalMs;
}

/** Whole frames that `ms` spans at `intervalMs` (rounded; 1 ms at 16 kHz = 16 frames). */
export function framesIn(ms: number, intervalMs: number): number {
  return Math.round(ms / intervalMs);
}

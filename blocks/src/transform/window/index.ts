import { defineBlock, type Sample } from '@tinyforge/sdk';
import { z } from 'zod';
import { axesOf, framesIn, requireInterval, sampleError } from '../sample-utils.js';
import { cutWindow, labelOfWindow, parseLabelRanges, windowStarts } from './window.js';

const params = z.object({
  sizeMs: z.number().positive().describe('Window size (EI "window size")'),
  strideMs: z.number().positive().describe('Step between window starts (EI "window increase")'),
  padZeros: z.boolean().default(true).describe('A sample shorter than one window gives one zero-padded window'),
  minLabelCoverage: z
    .number()
    .gt(0)
    .max(1)
    .default(0.5)
    .describe('With meta.labelRanges (ingest labels.segments: annotate): share of a window one label must cover to name it'),
  dropUnlabelled: z.boolean().default(false).describe('With meta.labelRanges: drop windows no label covers enough (else label null)'),
});
type Params = z.output<typeof params>;

/**
 * Cuts one sample into windows; ids `<id>#<n>` (n counts every window position, so ids stay
 * stable when some are dropped), category inherited. The label is the sample's, or with
 * meta.labelRanges the label covering the window.
 */
export function windowSample(sample: Sample, p: Params): Sample[] {
  const interval = requireInterval(sample, 'transform/window');
  const size = framesIn(p.sizeMs, interval);
  const stride = framesIn(p.strideMs, interval);
  if (size < 1 || stride < 1) throw sampleError(sample, `window ${p.sizeMs} ms / stride ${p.strideMs} ms is under one frame at ${interval} ms`);
  const axes = axesOf(sample);
  const frames = Math.floor(sample.values.length / axes);
  const ranges = parseLabelRanges(sample.meta?.['labelRanges']);
  const { labelRanges: _dropped, ...meta } = sample.meta ?? {};
  const windows: Sample[] = [];
  windowStarts(frames, size, stride, p.padZeros).forEach((start, n) => {
    const label = ranges ? labelOfWindow(ranges, start, size, p.minLabelCoverage) : sample.label;
    if (ranges && label === null && p.dropUnlabelled) return;
    windows.push({
      ...sample,
      id: `${sample.id}#${n}`,
      label,
      values: cutWindow(sample.values, axes, start, size),
      shape: [size, axes],
      meta: { ...meta, parent: sample.id, windowIndex: n, windowStartMs: start * interval },
    });
  });
  return windows;
}

export default defineBlock({
  id: 'transform/window',
  version: '1.0.0',
  apiVersion: 1,
  kind: 'transform',
  description: 'Sliding windows (size and stride in ms, zero-padding of short samples like Edge Impulse)',
  params,
  inputs: { samples: 'dataset' },
  outputs: { samples: 'dataset' },
  granularity: 'sample',
  runSample: (sample, ctx) => windowSample(sample, ctx.params),
});

import { defineBlock, type Sample } from '@tinyforge/sdk';
import { z } from 'zod';
import { axesOf, framesIn, requireInterval, sampleError } from '../sample-utils.js';
import { cutWindow, windowStarts } from './window.js';

const params = z.object({
  sizeMs: z.number().positive().describe('Window size (EI "window size")'),
  strideMs: z.number().positive().describe('Step between window starts (EI "window increase")'),
  padZeros: z.boolean().default(true).describe('A sample shorter than one window gives one zero-padded window'),
});
type Params = z.output<typeof params>;

/** Cuts one sample into windows; ids `<id>#<n>`, label and category inherited. */
export function windowSample(sample: Sample, p: Params): Sample[] {
  const interval = requireInterval(sample, 'transform/window');
  const size = framesIn(p.sizeMs, interval);
  const stride = framesIn(p.strideMs, interval);
  if (size < 1 || stride < 1) throw sampleError(sample, `window ${p.sizeMs} ms / stride ${p.strideMs} ms is under one frame at ${interval} ms`);
  const axes = axesOf(sample);
  const frames = Math.floor(sample.values.length / axes);
  return windowStarts(frames, size, stride, p.padZeros).map((start, n) => ({
    ...sample,
    id: `${sample.id}#${n}`,
    values: cutWindow(sample.values, axes, start, size),
    shape: [size, axes],
    meta: { ...(sample.meta ?? {}), parent: sample.id, windowIndex: n, windowStartMs: start * interval },
  }));
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

import { z } from 'zod';
import { defineBlock, type Sample } from '@tinyforge/sdk';
import { dspMeta } from '../common/block-helpers.js';
import { featuresSample, sampleError } from '../common/sample-input.js';
import { image, outputChannels, unpackEdgeImpulseImage, type Image8, type ImageConfig } from './image.js';
import { withEmitC } from '../emit-c.js';
import { emitImageC } from './image-c.js';

const BLOCK_ID = 'dsp/image';

/**
 * `channels` is Edge Impulse's image-block parameter; width, height and resize mode are the
 * settings of Edge Impulse's image input block, which tinyforge folds into this block.
 */
export const imageParams = z.object({
  channels: z.enum(['RGB', 'Grayscale']).default('RGB').describe('Colour depth of the output: RGB (3 channels) or Grayscale (ITU-R 601-2 luma)'),
  width: z.number().int().min(1).default(96).describe('Output width in pixels'),
  height: z.number().int().min(1).default(96).describe('Output height in pixels'),
  'resize-mode': z.enum(['squash', 'fit-shortest', 'fit-longest']).default('squash')
    .describe('squash: stretch to the size; fit-shortest: centre crop to the aspect ratio; fit-longest: fit inside, black borders'),
});
export type ImageParams = z.output<typeof imageParams>;

export function imageConfig(p: ImageParams): ImageConfig {
  return { width: p.width, height: p.height, resizeMode: p['resize-mode'], channels: p.channels };
}

/**
 * The sample as an 8-bit image: `shape` [height, width, channels] with values 0..255 (1, 3 or 4
 * channels), or Edge Impulse's packed form [width, height, 0xRRGGBB…].
 */
export function readImage(sample: Sample): Image8 {
  const { values, shape } = sample;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw sampleError(sample, `value ${i} is ${String(values[i])}`);
  }
  if (shape && shape.length === 3) {
    const [h, w, c] = shape as [number, number, number];
    if (![1, 3, 4].includes(c)) throw sampleError(sample, `an image needs 1, 3 or 4 channels, found ${c}`);
    if (h * w * c !== values.length || h < 1 || w < 1) throw sampleError(sample, `shape [${shape.join(', ')}] does not match ${values.length} values`);
    return { width: w, height: h, channels: c, data: values };
  }
  const packed = unpackEdgeImpulseImage(values);
  if (!packed) {
    throw sampleError(sample, 'not an image: expected shape [height, width, channels] or Edge Impulse packed pixels [width, height, 0xRRGGBB…]');
  }
  return packed;
}

export default withEmitC(defineBlock({
  id: BLOCK_ID,
  version: '1.0.0',
  apiVersion: 1,
  kind: 'dsp',
  description: 'Image: resize/crop, RGB or grayscale, scaled to 0..1, HWC (Edge Impulse compatible)',
  params: imageParams,
  inputs: { samples: 'dataset' },
  outputs: { features: 'features' },
  granularity: 'sample',
  prepare: (params): ImageConfig => imageConfig(params),
  outputMeta(params) {
    const c = imageConfig(params);
    return dspMeta(BLOCK_ID, params, [c.height, c.width, outputChannels(c)]);
  },
  runSample(sample, ctx) {
    const src = readImage(sample);
    const c = ctx.state;
    const out = new Float32Array(c.width * c.height * outputChannels(c));
    image(c, src, out);
    return featuresSample(sample, out, [c.height, c.width, outputChannels(c)]);
  },
}), emitImageC);

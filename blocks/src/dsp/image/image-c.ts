/**
 * Image as C99 (see emit-c.ts). On a device the camera code delivers the image at the block's
 * width × height, as Edge Impulse's SDK expects: either packed pixels (one float 0xRRGGBB per
 * pixel: `frames` = width·height, 1 axis), or, with `shape` [height, width, channels], 8-bit
 * channel values (1, 3 or 4 channels, alpha ignored). At equal size every resize mode of the
 * kernel is the identity, so the C only converts: RGB → c/255, or grayscale by PIL's 601-2 luma,
 * through a 256-entry table (the same float32 values as the TypeScript block). Resizing on the
 * device is not emitted: a different input size is a TinyforgeError.
 */
import { TinyforgeError } from '@tinyforge/sdk';
import { C_PRELUDE, cHeader, cPrefix, cTable, type CEmission, type CInputInfo } from '../emit-c.js';
import { imageConfig, type ImageParams } from './index.js';
import { outputChannels } from './image.js';

function sizeError(message: string): TinyforgeError {
  return new TinyforgeError({
    code: 'PARAMS_INVALID', path: 'width', message: `dsp/image cannot be compiled to C: ${message}`,
    hint: 'resize on the device before the DSP (as Edge Impulse does): feed width × height pixels',
  });
}

export function emitImageC(params: ImageParams, input: CInputInfo, prefix = 'image'): CEmission {
  const p = cPrefix(prefix);
  const config = imageConfig(params);
  const { width: W, height: H } = config;
  const pixels = W * H;
  let channels = 0; // 0: packed 0xRRGGBB
  if (input.shape) {
    const [h, w, c] = input.shape as [number, number, number];
    if (input.shape.length !== 3 || ![1, 3, 4].includes(c)) throw sizeError(`input shape [${input.shape.join(', ')}] is not [height, width, 1|3|4]`);
    if (h !== H || w !== W) throw sizeError(`the input is ${w}×${h} pixels, the block outputs ${W}×${H}`);
    channels = c;
  } else if (input.frames * input.axes !== pixels) {
    throw sizeError(`the input holds ${input.frames * input.axes} values, packed pixels at ${W}×${H} are ${pixels}`);
  }
  const outC = outputChannels(config);
  const inputSize = channels === 0 ? pixels : pixels * channels;
  const outputSize = pixels * outC;
  const unit = Array.from({ length: 256 }, (_, i) => i / 255);
  // One pixel's r, g, b as 0..255 integers: unpacked, or rounded and clamped like the kernel.
  const read = channels === 0
    ? `    const float v = in[i];
    uint32_t u;
    if (!(v >= 0.0f && v < 16777216.0f)) return 1; /* NaN, Inf or not a 24-bit pixel */
    u = (uint32_t)v;
    r = (u >> 16) & 255u; g = (u >> 8) & 255u; b = u & 255u;
`
    : `    const float *px = in + i * ${channels};
    int k;
    for (k = 0; k < ${channels === 1 ? 1 : 3}; k++) {
      const float v = px[k];
      if (!(v - v == 0.0f)) return 1; /* NaN or Inf */
      if (v <= 0.0f) rgb[k] = 0u;
      else if (v >= 254.5f) rgb[k] = 255u;
      else { rgb[k] = (uint32_t)v; if (v - (float)rgb[k] >= 0.5f) rgb[k]++; } /* Math.round: v - trunc(v) is exact */
    }
${channels === 1 ? '    rgb[1] = rgb[2] = rgb[0];\n' : ''}    r = rgb[0]; g = rgb[1]; b = rgb[2];
`;
  const write = outC === 3
    ? `    out[3 * i] = ${p}_unit[r]; out[3 * i + 1] = ${p}_unit[g]; out[3 * i + 2] = ${p}_unit[b];\n`
    : `    out[i] = ${p}_unit[(19595u * r + 38470u * g + 7471u * b + 32768u) >> 16];\n`;
  const source = `${C_PRELUDE}#include "${p}.h"

/* i / 255 as float32 */
${cTable('float', `${p}_unit`, unit)}
int ${p}_run(const float *in, float *out, float *scratch) {
  int i;
  (void)scratch;
  for (i = 0; i < ${pixels}; i++) {
    uint32_t r, g, b${channels === 0 ? '' : ', rgb[3]'};
${read}${write}  }
  return 0;
}
`;
  const header = cHeader(p, `Image (Edge Impulse compatible): ${W}x${H} ${channels === 0 ? 'packed 0xRRGGBB pixels' : `x ${channels} channels (0..255)`} -> ${W}x${H}x${outC} in 0..1`, {
    input: inputSize, output: outputSize, scratchBytes: 0,
  });
  return { prefix: p, sources: { [`${p}.c`]: source }, header, inputSize, outputSize, ramBytes: 0, entry: `${p}_run` };
}

/**
 * Image as C99 (see emit-c.ts). The device feeds either packed pixels (one float 0xRRGGBB per
 * pixel; `shape` [height, width], or no shape at the block's own size) or 8-bit channel values
 * (`shape` [height, width, 1|3|4], alpha ignored). At the block's width × height every resize mode
 * is the identity, so the C only converts: RGB → c/255, or grayscale by PIL's 601-2 luma, through
 * a 256-entry table (the same float32 values as the TypeScript block). At any other size it
 * resizes like the kernel (image.ts): the placement (squash, centre crop, letterbox) and each
 * output column's and row's bilinear taps are computed here by the kernel's own functions and baked
 * in as tables; the interpolation runs in double, in the kernel's order, then rounds like
 * Math.round, so the output equals the TypeScript block's bit for bit (C99 contracts no
 * multiply-add under -std=c99). Double is software on a Cortex-M4F: correct, not fast.
 */
import { TinyforgeError } from '@tinyforge/sdk';
import { C_PRELUDE, cHeader, cIndexType, cInt, cPrefix, cTable, type CEmission, type CInputInfo } from '../emit-c.js';
import { imageConfig, type ImageParams } from './index.js';
import { axisTap, outputChannels, placement, sourcePosition } from './image.js';

function sizeError(message: string): TinyforgeError {
  return new TinyforgeError({
    code: 'PARAMS_INVALID', path: 'width', message: `dsp/image cannot be compiled to C: ${message}`,
    hint: 'give the input size as shape [height, width] (packed 0xRRGGBB pixels) or [height, width, 1|3|4] (channel values)',
  });
}

/** A double literal that reads back as the same double. */
const cDouble = (x: number): string => {
  const s = x.toPrecision(17);
  return /[.e]/.test(s) ? s : `${s}.0`;
};

export function emitImageC(params: ImageParams, input: CInputInfo, prefix = 'image'): CEmission {
  const p = cPrefix(prefix);
  const config = imageConfig(params);
  const { width: W, height: H } = config;
  const pixels = W * H;
  let channels = 0; // 0: packed 0xRRGGBB
  let srcW = W;
  let srcH = H;
  if (input.shape) {
    const [h, w, c] = input.shape as [number, number, number | undefined];
    const packed = input.shape.length === 2;
    if (!(packed || (input.shape.length === 3 && [1, 3, 4].includes(c!))) || !(Number.isInteger(h) && Number.isInteger(w) && h >= 1 && w >= 1)) {
      throw sizeError(`input shape [${input.shape.join(', ')}] is not [height, width] or [height, width, 1|3|4]`);
    }
    channels = packed ? 0 : c!;
    srcW = w;
    srcH = h;
    if (input.frames * input.axes !== w * h * (packed ? 1 : c!)) {
      throw sizeError(`the input holds ${input.frames * input.axes} values, shape [${input.shape.join(', ')}] needs ${w * h * (packed ? 1 : c!)}`);
    }
  } else if (input.frames * input.axes !== pixels) {
    throw sizeError(`the input holds ${input.frames * input.axes} values, packed pixels at ${W}×${H} are ${pixels}; give the input size as shape`);
  }
  const srcPixels = srcW * srcH;
  const outC = outputChannels(config);
  const inputSize = channels === 0 ? srcPixels : srcPixels * channels;
  const outputSize = pixels * outC;
  const unit = Array.from({ length: 256 }, (_, i) => i / 255);
  const write = (at: string): string => outC === 3
    ? `    out[3 * ${at}] = ${p}_unit[r]; out[3 * ${at} + 1] = ${p}_unit[g]; out[3 * ${at} + 2] = ${p}_unit[b];\n`
    : `    out[${at}] = ${p}_unit[(19595u * r + 38470u * g + 7471u * b + 32768u) >> 16];\n`;
  const identity = srcW === W && srcH === H;
  const body = identity ? identityBody(p, pixels, channels, write('i')) : resizeBody(p, config, srcW, srcH, channels, outC, write('o'));
  const source = `${C_PRELUDE}#include "${p}.h"

/* i / 255 as float32 */
${cTable('float', `${p}_unit`, unit)}
${body}`;
  const what = channels === 0 ? 'packed 0xRRGGBB pixels' : `x ${channels} channels (0..255)`;
  const header = cHeader(p, `Image (Edge Impulse compatible): ${srcW}x${srcH} ${what} -> ${identity ? '' : `${config.resizeMode} `}${W}x${H}x${outC} in 0..1`, {
    input: inputSize, output: outputSize, scratchBytes: 0,
  });
  return { prefix: p, sources: { [`${p}.c`]: source }, header, inputSize, outputSize, ramBytes: 0, entry: `${p}_run` };
}

/** Same size: convert each pixel, rounding and clamping channel values like the kernel. */
function identityBody(p: string, pixels: number, channels: number, write: string): string {
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
  return `int ${p}_run(const float *in, float *out, float *scratch) {
  int i;
  (void)scratch;
  for (i = 0; i < ${pixels}; i++) {
    uint32_t r, g, b${channels === 0 ? '' : ', rgb[3]'};
${read}${write}  }
  return 0;
}
`;
}

/** Other size: the kernel's bilinear resize with the placement and the taps baked in. */
function resizeBody(p: string, config: ReturnType<typeof imageConfig>, srcW: number, srcH: number, channels: number, outC: number, write: string): string {
  const { width: W, height: H } = config;
  const pl = placement({ width: srcW, height: srcH, channels: Math.max(channels, 1), data: [] }, config);
  const cols = Array.from({ length: pl.dw }, (_, i) => axisTap(srcW, sourcePosition(pl.sx, pl.sw, pl.dx, pl.dw, pl.dx + i)));
  const rows = Array.from({ length: pl.dh }, (_, i) => axisTap(srcH, sourcePosition(pl.sy, pl.sh, pl.dy, pl.dh, pl.dy + i)));
  const step = Math.max(channels, 1);
  const srcPixels = srcW * srcH;
  // Channel c of source pixel q: packed pixels are unpacked on the fly (checked up front).
  const fetch = channels === 0
    ? `static double ${p}_at(const float *in, uint32_t q, int c) {
  return (double)(((uint32_t)in[q] >> (16 - 8 * c)) & 255u);
}
`
    : `static double ${p}_at(const float *in, uint32_t q, int c) {
${channels === 1 ? '  (void)c; /* one gray channel serves r, g and b */\n' : ''}  return (double)in[q * ${step}u + ${channels === 1 ? '0u' : '(uint32_t)c'}];
}
`;
  const check = channels === 0
    ? `  for (i = 0; i < ${srcPixels}; i++) if (!(in[i] >= 0.0f && in[i] < 16777216.0f)) return 1; /* NaN, Inf or not a 24-bit pixel */`
    : `  for (i = 0; i < ${srcPixels * channels}; i++) if (!(in[i] - in[i] == 0.0f)) return 1; /* NaN or Inf */`;
  const xt = cIndexType(srcW);
  const yt = cIndexType(srcPixels);
  return `/* Output column x (of ${pl.dw} from ${pl.dx}): source columns x0, x1 and the weight of x1. */
${cTable(xt, `${p}_x0`, cols.map((t) => t.i0), cInt)}${cTable(xt, `${p}_x1`, cols.map((t) => t.i1), cInt)}${cTable('double', `${p}_ax`, cols.map((t) => t.a), cDouble)}
/* Output row y (of ${pl.dh} from ${pl.dy}): first pixels of source rows y0, y1 and the weight of y1. */
${cTable(yt, `${p}_y0`, rows.map((t) => t.i0 * srcW), cInt)}${cTable(yt, `${p}_y1`, rows.map((t) => t.i1 * srcW), cInt)}${cTable('double', `${p}_ay`, rows.map((t) => t.a), cDouble)}
${fetch}
/* Math.round then clamp to 0..255. */
static uint32_t ${p}_byte(double v) {
  double r = floor(v);
  if (v - r >= 0.5) r += 1.0;
  return r <= 0.0 ? 0u : r >= 255.0 ? 255u : (uint32_t)r;
}

int ${p}_run(const float *in, float *out, float *scratch) {
  int i, x, y, c;
  (void)scratch;
${check}
  for (i = 0; i < ${W * H * outC}; i++) out[i] = 0.0f;
  for (y = 0; y < ${pl.dh}; y++) {
    const uint32_t r0 = ${p}_y0[y], r1 = ${p}_y1[y];
    const double ay = ${p}_ay[y];
    for (x = 0; x < ${pl.dw}; x++) {
      const uint32_t x0 = ${p}_x0[x], x1 = ${p}_x1[x];
      const double ax = ${p}_ax[x];
      const int o = (y + ${pl.dy}) * ${W} + x + ${pl.dx};
      uint32_t rgb[3], r, g, b;
      for (c = 0; c < 3; c++) {
        const double p00 = ${p}_at(in, r0 + x0, c), p01 = ${p}_at(in, r0 + x1, c);
        const double p10 = ${p}_at(in, r1 + x0, c), p11 = ${p}_at(in, r1 + x1, c);
        const double top = p00 + (p01 - p00) * ax;
        const double bottom = p10 + (p11 - p10) * ax;
        rgb[c] = ${p}_byte(top + (bottom - top) * ay);
      }
      r = rgb[0]; g = rgb[1]; b = rgb[2];
${write.replace(/^ {4}/gm, '      ')}    }
  }
  return 0;
}
`;
}

/**
 * Image kernel (Edge Impulse `image` plus the input block's resize): an 8-bit image (HWC) is
 * resized to width × height (squash, fit-shortest = centre crop, fit-longest = letterbox with
 * black), rounded back to 8 bits, optionally converted to grayscale with PIL's ITU-R 601-2 luma
 * (L = (19595·R + 38470·G + 7471·B + 2^15) >> 16), and scaled to 0..1. Output is HWC.
 */
export type ResizeMode = 'squash' | 'fit-shortest' | 'fit-longest';
export type ImageChannels = 'RGB' | 'Grayscale';

export interface ImageConfig {
  width: number;
  height: number;
  resizeMode: ResizeMode;
  channels: ImageChannels;
}

/** A decoded 8-bit image: HWC, 1 (gray), 3 (RGB) or 4 (RGBA, alpha ignored) channels. */
export interface Image8 {
  width: number;
  height: number;
  channels: number;
  data: ArrayLike<number>;
}

export function outputChannels(config: ImageConfig): number {
  return config.channels === 'RGB' ? 3 : 1;
}

/** Source rectangle (in source pixels) and destination rectangle of the resize. */
function placement(src: Image8, config: ImageConfig) {
  const { width: W, height: H } = config;
  let sx = 0, sy = 0, sw = src.width, sh = src.height;
  let dx = 0, dy = 0, dw = W, dh = H;
  if (config.resizeMode === 'fit-shortest') {
    // Crop the source to the target aspect ratio, centred.
    const scale = Math.max(W / src.width, H / src.height);
    sw = W / scale;
    sh = H / scale;
    sx = (src.width - sw) / 2;
    sy = (src.height - sh) / 2;
  } else if (config.resizeMode === 'fit-longest') {
    // Fit the whole source inside, centred, black around it.
    const scale = Math.min(W / src.width, H / src.height);
    dw = Math.max(1, Math.round(src.width * scale));
    dh = Math.max(1, Math.round(src.height * scale));
    dx = Math.floor((W - dw) / 2);
    dy = Math.floor((H - dh) / 2);
  }
  return { sx, sy, sw, sh, dx, dy, dw, dh };
}

/** Bilinear sample (half-pixel centres, edge clamped) of channel c at source position (x, y). */
function bilinear(src: Image8, x: number, y: number, c: number): number {
  const { width, height, channels, data } = src;
  const fx = Math.min(Math.max(x - 0.5, 0), width - 1);
  const fy = Math.min(Math.max(y - 0.5, 0), height - 1);
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const x1 = Math.min(x0 + 1, width - 1);
  const y1 = Math.min(y0 + 1, height - 1);
  const ax = fx - x0;
  const ay = fy - y0;
  const r0 = y0 * width;
  const r1 = y1 * width;
  const p00 = data[(r0 + x0) * channels + c]!;
  const p01 = data[(r0 + x1) * channels + c]!;
  const p10 = data[(r1 + x0) * channels + c]!;
  const p11 = data[(r1 + x1) * channels + c]!;
  const top = p00 + (p01 - p00) * ax;
  const bottom = p10 + (p11 - p10) * ax;
  return top + (bottom - top) * ay;
}

export function image(config: ImageConfig, src: Image8, out: Float32Array): void {
  const { width: W, height: H } = config;
  const outC = outputChannels(config);
  const p = placement(src, config);
  const gray = src.channels === 1;
  const rgb = new Float64Array(3);
  out.fill(0, 0, W * H * outC);
  for (let y = p.dy; y < p.dy + p.dh; y++) {
    const syPos = p.sy + ((y - p.dy + 0.5) * p.sh) / p.dh;
    for (let x = p.dx; x < p.dx + p.dw; x++) {
      const sxPos = p.sx + ((x - p.dx + 0.5) * p.sw) / p.dw;
      for (let c = 0; c < 3; c++) {
        const v = bilinear(src, sxPos, syPos, gray ? 0 : c);
        rgb[c] = Math.min(255, Math.max(0, Math.round(v)));
      }
      const o = (y * W + x) * outC;
      if (outC === 3) {
        out[o] = rgb[0]! / 255;
        out[o + 1] = rgb[1]! / 255;
        out[o + 2] = rgb[2]! / 255;
      } else {
        out[o] = ((19595 * rgb[0]! + 38470 * rgb[1]! + 7471 * rgb[2]! + 0x8000) >> 16) / 255;
      }
    }
  }
}

/**
 * Edge Impulse's packed image input: [width, height, 0xRRGGBB, …]. Returns null when `values`
 * does not look like one.
 */
export function unpackEdgeImpulseImage(values: ArrayLike<number>): Image8 | null {
  const w = values[0];
  const h = values[1];
  if (w === undefined || h === undefined || !Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) return null;
  if (values.length !== w * h + 2) return null;
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const v = values[i + 2]!;
    data[i * 3] = (v >> 16) & 0xff;
    data[i * 3 + 1] = (v >> 8) & 0xff;
    data[i * 3 + 2] = v & 0xff;
  }
  return { width: w, height: h, channels: 3, data };
}

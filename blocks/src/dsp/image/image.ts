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
export interface Placement {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
  dx: number;
  dy: number;
  dw: number;
  dh: number;
}

/** Source rectangle (in source pixels) and destination rectangle of the resize. */
export function placement(src: Image8, config: ImageConfig) {
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

/** One axis of a bilinear tap: the two source indices and the weight of the second. */
export interface AxisTap {
  i0: number;
  i1: number;
  a: number;
}

/**
 * Bilinear tap along one axis of `size` pixels at source position `pos` (half-pixel centres,
 * edge clamped). Shared by the kernel and the C emitter's tables, so both use the same numbers.
 */
export function axisTap(size: number, pos: number): AxisTap {
  const f = Math.min(Math.max(pos - 0.5, 0), size - 1);
  const i0 = Math.floor(f);
  return { i0, i1: Math.min(i0 + 1, size - 1), a: f - i0 };
}

/** Source position (in source pixels, along one axis) of destination pixel `d` of the placement. */
export function sourcePosition(start: number, span: number, destStart: number, destSpan: number, d: number): number {
  return start + ((d - destStart + 0.5) * span) / destSpan;
}

/** Bilinear sample of channel c between the taps (top row first, as the C emission). */
function bilinear(src: Image8, tx: AxisTap, ty: AxisTap, c: number): number {
  const { width, channels, data } = src;
  const r0 = ty.i0 * width;
  const r1 = ty.i1 * width;
  const p00 = data[(r0 + tx.i0) * channels + c]!;
  const p01 = data[(r0 + tx.i1) * channels + c]!;
  const p10 = data[(r1 + tx.i0) * channels + c]!;
  const p11 = data[(r1 + tx.i1) * channels + c]!;
  const top = p00 + (p01 - p00) * tx.a;
  const bottom = p10 + (p11 - p10) * tx.a;
  return top + (bottom - top) * ty.a;
}

export function image(config: ImageConfig, src: Image8, out: Float32Array): void {
  const { width: W, height: H } = config;
  const outC = outputChannels(config);
  const p = placement(src, config);
  const gray = src.channels === 1;
  const rgb = new Float64Array(3);
  out.fill(0, 0, W * H * outC);
  const columns: AxisTap[] = [];
  for (let x = p.dx; x < p.dx + p.dw; x++) columns.push(axisTap(src.width, sourcePosition(p.sx, p.sw, p.dx, p.dw, x)));
  for (let y = p.dy; y < p.dy + p.dh; y++) {
    const ty = axisTap(src.height, sourcePosition(p.sy, p.sh, p.dy, p.dh, y));
    for (let x = p.dx; x < p.dx + p.dw; x++) {
      const tx = columns[x - p.dx]!;
      for (let c = 0; c < 3; c++) {
        const v = bilinear(src, tx, ty, gray ? 0 : c);
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

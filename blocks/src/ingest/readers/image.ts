import { badInput } from '@tinyforge/sdk';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import type { Recording } from './recording.js';

/**
 * PNG and JPEG images → HWC values in 0..255 (RGB, or grayscale by ITU-R 601-2 luma like Edge
 * Impulse's image block). Alpha is dropped. Scaling to 0..1 is a transform's job.
 */
export type ImageChannels = 'rgb' | 'grayscale';

/** Refuse images above this many pixels before decoding: a 20-byte header can ask for gigabytes. */
const MAX_PIXELS = 64 * 1024 * 1024;

function pngSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  if (bytes.length < 24) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

function decodeRgba(bytes: Uint8Array, file: string, kind: 'png' | 'jpeg'): { width: number; height: number; rgba: Uint8Array } {
  if (bytes.length === 0) throw badInput(file, 'empty file');
  if (kind === 'png') {
    const size = pngSize(bytes);
    if (size && size.width * size.height > MAX_PIXELS) throw badInput(file, `PNG is ${size.width}×${size.height}, above the ${MAX_PIXELS}-pixel limit`);
  }
  try {
    if (kind === 'png') {
      const png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, rgba: png.data };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, rgba: img.data };
  } catch (err) {
    throw badInput(file, `not a readable ${kind.toUpperCase()} image: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function readImage(bytes: Uint8Array, file: string, kind: 'png' | 'jpeg', channels: ImageChannels = 'rgb'): Recording {
  const { width, height, rgba } = decodeRgba(bytes, file, kind);
  if (width === 0 || height === 0) throw badInput(file, 'image has no pixels');
  const pixels = width * height;
  const c = channels === 'rgb' ? 3 : 1;
  const values = new Float32Array(pixels * c);
  for (let p = 0; p < pixels; p++) {
    const r = rgba[4 * p]!, g = rgba[4 * p + 1]!, b = rgba[4 * p + 2]!;
    if (c === 3) {
      values[3 * p] = r; values[3 * p + 1] = g; values[3 * p + 2] = b;
    } else {
      values[p] = (r * 299 + g * 587 + b * 114) / 1000;
    }
  }
  const sensors = c === 3
    ? [{ name: 'red', units: 'rgb' }, { name: 'green', units: 'rgb' }, { name: 'blue', units: 'rgb' }]
    : [{ name: 'gray', units: 'rgb' }];
  return { sensors, intervalMs: 0, values, shape: [height, width, c], meta: { width, height } };
}

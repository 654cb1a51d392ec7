import { badInput } from '@tinyforge/sdk';
import type { Recording } from './recording.js';

/**
 * RIFF/WAVE reader: PCM integer 8/16/24/32-bit and IEEE float 32/64-bit, any channel count,
 * plain or WAVE_FORMAT_EXTENSIBLE headers. Values come out interleaved, either in int16 units
 * (Edge Impulse's convention: MFE divides by 2^15) or in [-1, 1].
 */
export type AudioScale = 'int16' | 'unit';

export interface WavFormat {
  /** 1 = PCM integer, 3 = IEEE float (after resolving WAVE_FORMAT_EXTENSIBLE). */
  formatTag: 1 | 3;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

export interface DecodedWav extends WavFormat {
  frames: number;
  /** Interleaved samples scaled to [-1, 1), times the requested gain. */
  samples: Float32Array;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Far above any real recording; stops a crafted header from asking for absurd work. */
const MAX_CHANNELS = 256;

function fourcc(view: DataView, at: number): string {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}

function parseFormat(view: DataView, at: number, size: number, file: string): WavFormat {
  if (size < 16) throw badInput(file, `WAV "fmt " chunk is ${size} bytes, expected at least 16`);
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (tag === FORMAT_EXTENSIBLE) {
    if (size < 40) throw badInput(file, `WAV extensible "fmt " chunk is ${size} bytes, expected 40`);
    tag = view.getUint16(at + 24, true); // first two bytes of the sub-format GUID
  }
  if (tag !== FORMAT_PCM && tag !== FORMAT_FLOAT) {
    throw badInput(file, `unsupported WAV encoding (format tag ${tag}); only PCM integer and IEEE float are read`);
  }
  if (channels < 1 || channels > MAX_CHANNELS) throw badInput(file, `WAV header says ${channels} channels`);
  if (sampleRate < 1) throw badInput(file, 'WAV header says a sample rate of 0 Hz');
  const intBits = [8, 16, 24, 32];
  const floatBits = [32, 64];
  if (!(tag === FORMAT_PCM ? intBits : floatBits).includes(bitsPerSample)) {
    throw badInput(file, `unsupported WAV sample size: ${bitsPerSample}-bit ${tag === FORMAT_PCM ? 'integer' : 'float'}`);
  }
  const expectedAlign = channels * (bitsPerSample / 8);
  if (blockAlign !== expectedAlign) {
    throw badInput(file, `WAV block align is ${blockAlign}, expected ${expectedAlign} for ${channels} × ${bitsPerSample}-bit`);
  }
  return { formatTag: tag, channels, sampleRate, bitsPerSample, blockAlign };
}

/**
 * Parses a WAV file; throws a BAD_INPUT TinyforgeError naming `file` for anything malformed.
 * Samples come out multiplied by `gain` after scaling to [-1, 1) (32768 gives int16 units).
 */
export function decodeWav(bytes: Uint8Array, file: string, gain = 1): DecodedWav {
  if (bytes.length === 0) throw badInput(file, 'empty file');
  if (bytes.length < 12) throw badInput(file, `truncated WAV header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fourcc(view, 0) !== 'RIFF' || fourcc(view, 8) !== 'WAVE') throw badInput(file, 'not a RIFF/WAVE file');

  let format: WavFormat | undefined;
  let at = 12;
  // Chunks in any order; unknown ones (LIST, fact, cue…) are skipped. RIFF sizes are often wrong
  // in the wild, so the walk is bounded by the bytes we actually have.
  while (at + 8 <= bytes.length) {
    const id = fourcc(view, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (body + size > bytes.length) throw badInput(file, 'truncated WAV "fmt " chunk');
      format = parseFormat(view, body, size, file);
    } else if (id === 'data') {
      if (!format) throw badInput(file, 'WAV "data" chunk before "fmt " chunk');
      if (body + size > bytes.length) {
        throw badInput(file, `truncated WAV data: header says ${size} bytes, file has ${bytes.length - body}`);
      }
      const frames = Math.floor(size / format.blockAlign);
      if (frames === 0) throw badInput(file, 'WAV file has no audio frames');
      return { ...format, frames, samples: decodeSamples(view, body, frames, format, file, gain) };
    }
    at = body + size + (size & 1); // chunks are padded to an even size
  }
  throw badInput(file, format ? 'WAV file has no "data" chunk' : 'WAV file has no "fmt " chunk');
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function decodeSamples(view: DataView, at: number, frames: number, fmt: WavFormat, file: string, gain: number): Float32Array {
  const n = frames * fmt.channels;
  const out = new Float32Array(n);
  switch (fmt.formatTag === FORMAT_FLOAT ? `f${fmt.bitsPerSample}` : `i${fmt.bitsPerSample}`) {
    case 'i8': {
      const k = gain / 128;
      for (let i = 0; i < n; i++) out[i] = (view.getUint8(at + i) - 128) * k;
      break;
    }
    case 'i16': {
      const k = gain / 32768;
      const offset = view.byteOffset + at;
      if (littleEndianHost && offset % 2 === 0) {
        // the common case (44-byte header): read the PCM in place
        const pcm = new Int16Array(view.buffer, offset, n);
        for (let i = 0; i < n; i++) out[i] = pcm[i]! * k;
      } else {
        for (let i = 0; i < n; i++) out[i] = view.getInt16(at + 2 * i, true) * k;
      }
      break;
    }
    case 'i24': {
      const k = gain / 8388608;
      for (let i = 0, p = at; i < n; i++, p += 3) {
        out[i] = (view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16)) * k;
      }
      break;
    }
    case 'i32': {
      const k = gain / 2147483648;
      for (let i = 0; i < n; i++) out[i] = view.getInt32(at + 4 * i, true) * k;
      break;
    }
    case 'f32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(at + 4 * i, true) * gain;
      break;
    case 'f64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(at + 8 * i, true) * gain;
      break;
  }
  if (fmt.formatTag === FORMAT_FLOAT) {
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(out[i]!)) throw badInput(file, `WAV float sample ${i} is not a finite number`);
    }
  }
  return out;
}

/** Reads a WAV file into a Recording: one sensor per channel, values in the chosen scale. */
export function readWav(bytes: Uint8Array, file: string, scale: AudioScale = 'int16'): Recording {
  const wav = decodeWav(bytes, file, scale === 'int16' ? 32768 : 1);
  const sensors =
    wav.channels === 1
      ? [{ name: 'audio', units: 'wav' }]
      : Array.from({ length: wav.channels }, (_, c) => ({ name: `audio${c}`, units: 'wav' }));
  return {
    sensors,
    intervalMs: 1000 / wav.sampleRate,
    values: wav.samples,
    shape: [wav.frames, wav.channels],
    meta: { sampleRateHz: wav.sampleRate, bitsPerSample: wav.bitsPerSample, encoding: wav.formatTag === FORMAT_FLOAT ? 'float' : 'pcm' },
  };
}

/** Writes a WAV file (PCM 8/16/24/32 or float 32) from interleaved [-1, 1] samples; for tests and fixtures. */
export function encodeWav(samples: Float32Array, opts: { sampleRate: number; channels: number; bits: 8 | 16 | 24 | 32; float?: boolean }): Uint8Array {
  const bytesPer = opts.bits / 8;
  const dataSize = samples.length * bytesPer;
  const buf = new Uint8Array(44 + dataSize + (dataSize & 1));
  const v = new DataView(buf.buffer);
  const ascii = (at: number, s: string) => { for (let i = 0; i < 4; i++) v.setUint8(at + i, s.charCodeAt(i)); };
  ascii(0, 'RIFF'); v.setUint32(4, buf.length - 8, true); ascii(8, 'WAVE');
  ascii(12, 'fmt '); v.setUint32(16, 16, true);
  v.setUint16(20, opts.float ? FORMAT_FLOAT : FORMAT_PCM, true);
  v.setUint16(22, opts.channels, true);
  v.setUint32(24, opts.sampleRate, true);
  v.setUint32(28, opts.sampleRate * opts.channels * bytesPer, true);
  v.setUint16(32, opts.channels * bytesPer, true);
  v.setUint16(34, opts.bits, true);
  ascii(36, 'data'); v.setUint32(40, dataSize, true);
  const clamp = (x: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, x));
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i]!;
    const at = 44 + i * bytesPer;
    if (opts.float) v.setFloat32(at, x, true);
    else if (opts.bits === 8) v.setUint8(at, clamp(Math.round(x * 128) + 128, 0, 255));
    else if (opts.bits === 16) v.setInt16(at, clamp(Math.round(x * 32768), -32768, 32767), true);
    else if (opts.bits === 24) {
      const q = clamp(Math.round(x * 8388608), -8388608, 8388607);
      v.setUint8(at, q & 0xff); v.setUint8(at + 1, (q >> 8) & 0xff); v.setUint8(at + 2, (q >> 16) & 0xff);
    } else v.setInt32(at, clamp(Math.round(x * 2147483648), -2147483648, 2147483647), true);
  }
  return buf;
}

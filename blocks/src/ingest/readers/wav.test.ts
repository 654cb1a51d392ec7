import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isTinyforgeError } from '@tinyforge/sdk';
import { datasetAvailable, datasetPath } from '../shared-datasets.js';
import { decodeWav, encodeWav, readWav } from './wav.js';

function ramp(n: number, channels: number): Float32Array {
  // distinct values per channel, inside ±1 and exactly representable at 8 bits
  const x = new Float32Array(n * channels);
  for (let i = 0; i < x.length; i++) x[i] = (((i * 37) % 255) - 127) / 128;
  return x;
}

function expectBadInput(fn: () => unknown, file: string, reason: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isTinyforgeError(err)).toBe(true);
    const e = err as { code: string; file: string; message: string };
    expect(e.code).toBe('BAD_INPUT');
    expect(e.file).toBe(file);
    expect(e.message).toMatch(reason);
    return;
  }
  throw new Error('expected a BAD_INPUT error');
}

describe('decodeWav', () => {
  for (const bits of [8, 16, 24, 32] as const) {
    for (const channels of [1, 2, 3]) {
      it(`round-trips ${bits}-bit PCM with ${channels} channel(s)`, () => {
        const x = ramp(100, channels);
        const wav = decodeWav(encodeWav(x, { sampleRate: 8000, channels, bits }), 't.wav');
        expect(wav).toMatchObject({ channels, sampleRate: 8000, bitsPerSample: bits, frames: 100, formatTag: 1 });
        const tol = bits === 8 ? 1 / 128 : 1 / 32768;
        for (let i = 0; i < x.length; i++) expect(Math.abs(wav.samples[i]! - x[i]!)).toBeLessThanOrEqual(tol);
      });
    }
  }

  it('round-trips 32-bit float exactly, 2 channels', () => {
    const x = new Float32Array([0.1, -0.25, 0.999, -1, 0.5, 0.125]);
    const wav = decodeWav(encodeWav(x, { sampleRate: 44100, channels: 2, bits: 32, float: true }), 'f.wav');
    expect(wav.formatTag).toBe(3);
    expect(wav.frames).toBe(3);
    expect([...wav.samples]).toEqual([...x]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE and skips unknown chunks with odd sizes', () => {
    // fmt (40-byte extensible, PCM sub-format) + an odd-sized LIST chunk (padded) + data
    const data = new Int16Array([1000, -1000, 32767, -32768]);
    const parts: number[] = [];
    const u32 = (v: number) => [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];
    const u16 = (v: number) => [v & 255, (v >> 8) & 255];
    const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
    const fmt = [...u16(0xfffe), ...u16(2), ...u32(16000), ...u32(64000), ...u16(4), ...u16(16), ...u16(22), ...u16(16), ...u32(3),
      ...u16(1), ...u16(0), 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71];
    parts.push(...ascii('fmt '), ...u32(fmt.length), ...fmt);
    parts.push(...ascii('LIST'), ...u32(3), 1, 2, 3, 0);
    parts.push(...ascii('data'), ...u32(8), ...new Uint8Array(data.buffer));
    const bytes = new Uint8Array([...ascii('RIFF'), ...u32(4 + parts.length), ...ascii('WAVE'), ...parts]);
    const wav = decodeWav(bytes, 'ext.wav');
    expect(wav).toMatchObject({ channels: 2, frames: 2, sampleRate: 16000 });
    expect([...wav.samples].map((v) => v * 32768)).toEqual([1000, -1000, 32767, -32768]);
  });

  it('rejects malformed headers with the file and the reason', () => {
    const good = encodeWav(ramp(10, 1), { sampleRate: 8000, channels: 1, bits: 16 });
    expectBadInput(() => decodeWav(new Uint8Array(0), 'a.wav'), 'a.wav', /empty file/);
    expectBadInput(() => decodeWav(good.slice(0, 8), 'b.wav'), 'b.wav', /truncated WAV header/);
    expectBadInput(() => decodeWav(good.slice(0, 30), 'c.wav'), 'c.wav', /truncated WAV "fmt " chunk/);
    expectBadInput(() => decodeWav(good.slice(0, 50), 'd.wav'), 'd.wav', /truncated WAV data: header says 20 bytes, file has 6/);
    expectBadInput(() => decodeWav(good.slice(0, 36), 'e.wav'), 'e.wav', /no "data" chunk/);
    const notRiff = good.slice(); notRiff[0] = 0x58;
    expectBadInput(() => decodeWav(notRiff, 'f.wav'), 'f.wav', /not a RIFF\/WAVE/);
    const adpcm = good.slice(); adpcm[20] = 2;
    expectBadInput(() => decodeWav(adpcm, 'g.wav'), 'g.wav', /format tag 2/);
    const bits12 = good.slice(); bits12[34] = 12;
    expectBadInput(() => decodeWav(bits12, 'h.wav'), 'h.wav', /12-bit/);
    const zeroCh = good.slice(); zeroCh[22] = 0;
    expectBadInput(() => decodeWav(zeroCh, 'i.wav'), 'i.wav', /0 channels/);
    const noFrames = encodeWav(new Float32Array(0), { sampleRate: 8000, channels: 1, bits: 16 });
    expectBadInput(() => decodeWav(noFrames, 'j.wav'), 'j.wav', /no audio frames/);
  });
});

describe.skipIf(!datasetAvailable('kws-speech-commands'))('readWav on Speech Commands clips', () => {
  it('reads a real 16 kHz clip as int16-scaled values matching the raw PCM', () => {
    const dir = datasetPath('kws-speech-commands', 'yes');
    const name = readdirSync(dir).sort()[0]!;
    const bytes = readFileSync(`${dir}/${name}`);
    const rec = readWav(bytes, name);
    expect(rec.intervalMs).toBe(1000 / 16000);
    expect(rec.shape).toEqual([16000, 1]);
    expect(rec.sensors).toEqual([{ name: 'audio', units: 'wav' }]);
    const pcm = new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + 44 + 32000));
    for (let i = 0; i < pcm.length; i += 997) expect(rec.values[i]).toBe(pcm[i]);
    const unit = readWav(bytes, name, 'unit');
    expect(unit.values[100]).toBeCloseTo(pcm[100]! / 32768, 7);
  });
});

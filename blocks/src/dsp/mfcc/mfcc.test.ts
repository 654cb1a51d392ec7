import { describe, expect, it } from 'vitest';
import { Scratch } from '../common/audio.js';
import { createMelFilterbank } from '../common/mel.js';
import { cmvnw, createMfccPlan, mfcc, mfccShape } from './mfcc.js';

/** numpy 'symmetric' padding, built the slow way: reflect repeatedly until long enough. */
function padSymmetric(rows: number[][], pad: number): number[][] {
  let out = rows.slice();
  let left = pad;
  let right = pad;
  while (left > 0 || right > 0) {
    const n = rows.length;
    const takeL = Math.min(left, n);
    const takeR = Math.min(right, n);
    // Each reflection mirrors the current outermost block of the original length.
    const leftBlock = out.slice(0, takeL).reverse();
    const rightBlock = out.slice(out.length - takeR).reverse();
    out = [...leftBlock, ...out, ...rightBlock];
    left -= takeL;
    right -= takeR;
  }
  return out;
}

function naiveCmvnw(vec: number[][], win: number): number[][] {
  const pad = (win - 1) / 2;
  const cols = vec[0]!.length;
  const stat = (rows: number[][], c: number) => {
    const mean = rows.reduce((a, r) => a + r[c]!, 0) / rows.length;
    const std = Math.sqrt(rows.reduce((a, r) => a + (r[c]! - mean) ** 2, 0) / rows.length);
    return { mean, std };
  };
  const p1 = padSymmetric(vec, pad);
  const ms = vec.map((row, i) => row.map((v, c) => v - stat(p1.slice(i, i + win), c).mean));
  const p2 = padSymmetric(ms, pad);
  return ms.map((row, i) => row.map((v, c) => v / (stat(p2.slice(i, i + win), c).std + 1e-10)));
}

describe('cmvnw', () => {
  it('pads like numpy symmetric mode, also beyond the sequence length', () => {
    expect(padSymmetric([[0], [1], [2]], 5).map((r) => r[0])).toEqual([1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1]);
  });
  for (const [rows, win] of [[50, 101], [50, 3], [7, 31], [1, 5], [120, 75]] as const) {
    it(`matches a direct two-pass computation (${rows} rows, window ${win})`, () => {
      const cols = 4;
      const vec = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, c) => Math.sin(i * 0.7 + c) * (c + 1) + 0.1 * i + c * 10));
      const flat = Float64Array.from(vec.flat());
      const out = new Float32Array(rows * cols);
      cmvnw(flat, rows, cols, win, new Scratch(), out);
      const expected = naiveCmvnw(vec, win).flat();
      expected.forEach((e, i) => expect(Math.abs(out[i]! - e)).toBeLessThan(1e-4 * Math.max(1, Math.abs(e))));
    });
  }
});

describe('mfcc kernel', () => {
  const config = {
    frameLength: 0.02, frameStride: 0.02, numFilters: 32, fftLength: 256, numCepstral: 13,
    winSize: 0, lowFrequency: 0, highFrequency: 0, preCof: 0.98, preShift: 1,
  };
  it('puts ln(frame energy) in c0 and scales with the input as the reference does', () => {
    const plan = createMfccPlan(config);
    const tone = Float32Array.from({ length: 16000 }, (_, i) => 1000 * Math.sin((2 * Math.PI * 440 * i) / 16000));
    const [frames, nc] = mfccShape(config, 16000, tone.length);
    const a = new Float32Array(frames * nc);
    mfcc(plan, tone, 16000, a);
    const louder = tone.map((v) => v * 2);
    const b = new Float32Array(frames * nc);
    mfcc(plan, louder, 16000, b);
    // Doubling the signal multiplies every power by 4: c0 (ln energy) grows by ln 4, the others stay
    // (the DCT of a constant log offset only reaches c0, which is replaced).
    for (let f = 0; f < frames; f++) {
      expect(b[f * nc]! - a[f * nc]!).toBeCloseTo(Math.log(4), 4);
      for (let k = 1; k < nc; k++) expect(b[f * nc + k]!).toBeCloseTo(a[f * nc + k]!, 3);
    }
  });
  it('reuses its buffers: a second run gives identical output', () => {
    const plan = createMfccPlan({ ...config, winSize: 101 });
    const noise = Float32Array.from({ length: 16000 }, (_, i) => ((i * 7919) % 2001) - 1000);
    const out1 = new Float32Array(650);
    const out2 = new Float32Array(650);
    mfcc(plan, noise, 16000, out1);
    mfcc(plan, noise, 16000, out2);
    expect(out2).toEqual(out1);
  });
});

/** MFCC the slow way (no cmvnw): circular pre-emphasis, direct DFT, dense mel, ln, plain DCT-II matrix. */
function naiveMfcc(x: number[], fs: number, c: { frameLength: number; frameStride: number; numFilters: number; fftLength: number; numCepstral: number; lowFrequency: number; highFrequency: number; preCof: number; preShift: number }): number[] {
  const n = x.length;
  const y = x.map((v, i) => v - c.preCof * x[(((i - c.preShift) % n) + n) % n]!);
  const len = Math.round(fs * c.frameLength);
  const stride = Math.round(fs * c.frameStride);
  const frames = Math.floor((n - len) / stride) + 1;
  const bank = createMelFilterbank(c.numFilters, c.fftLength, fs, c.lowFrequency, c.highFrequency || fs / 2);
  const out: number[] = [];
  for (let f = 0; f < frames; f++) {
    const frame = Array.from({ length: c.fftLength }, (_, i) => (i < len ? y[f * stride + i]! : 0));
    const power: number[] = [];
    for (let k = 0; k <= c.fftLength / 2; k++) {
      let re = 0;
      let im = 0;
      frame.forEach((v, t) => {
        re += v * Math.cos((2 * Math.PI * k * t) / c.fftLength);
        im -= v * Math.sin((2 * Math.PI * k * t) / c.fftLength);
      });
      power.push((re * re + im * im) / c.fftLength);
    }
    const logMel: number[] = [];
    for (let m = 0; m < c.numFilters; m++) {
      let s = 0;
      for (let w = bank.offset[m]!; w < bank.offset[m + 1]!; w++) s += bank.weights[w]! * power[bank.start[m]! + w - bank.offset[m]!]!;
      logMel.push(Math.log(s === 0 ? 1e-10 : s));
    }
    out.push(Math.log(power.reduce((a, b) => a + b, 0)));
    for (let k = 1; k < c.numCepstral; k++) {
      let s = 0;
      logMel.forEach((v, i) => (s += v * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * c.numFilters))));
      out.push(s * Math.sqrt(2 / c.numFilters));
    }
  }
  return out;
}

describe('mfcc kernel against a direct computation', () => {
  // Odd and even filter counts (the DCT is folded in half), cropped and zero-padded frames,
  // a pre-emphasis shift that wraps around the start.
  const cases = [
    { frameLength: 0.016, frameStride: 0.01, numFilters: 25, fftLength: 128, numCepstral: 13, lowFrequency: 100, highFrequency: 6000, preCof: 0.97, preShift: 3 },
    { frameLength: 0.008, frameStride: 0.012, numFilters: 20, fftLength: 256, numCepstral: 12, lowFrequency: 0, highFrequency: 0, preCof: 0.98, preShift: 1 },
  ];
  for (const c of cases) {
    it(`${c.numFilters} filters, FFT ${c.fftLength}, ${c.frameLength * 1000} ms frames every ${c.frameStride * 1000} ms`, () => {
      const fs = 16000;
      const x = Array.from({ length: 1600 }, (_, i) => Math.round(3000 * Math.sin(i * 0.21) + 800 * Math.sin(i * 1.7) + ((i * 7919) % 401) - 200));
      const config = { ...c, winSize: 0 };
      const [frames, nc] = mfccShape(config, fs, x.length);
      const out = new Float32Array(frames * nc);
      expect(mfcc(createMfccPlan(config), Float32Array.from(x), fs, out)).toBe(true);
      const expected = naiveMfcc(x, fs, c);
      expect(expected.length).toBe(out.length);
      expected.forEach((e, i) => expect(Math.abs(out[i]! - e), `coefficient ${i}`).toBeLessThan(2e-5 * Math.max(1, Math.abs(e))));
    });
  }
  it('reports a NaN between frames and at the end', () => {
    const config = { ...cases[1]!, winSize: 0 };
    const x = Float32Array.from({ length: 1600 }, (_, i) => Math.sin(i));
    const [frames, nc] = mfccShape(config, 16000, x.length);
    const out = new Float32Array(frames * nc);
    for (const at of [130, 1599, 0]) {
      const bad = x.slice();
      bad[at] = at === 0 ? Infinity : NaN;
      expect(mfcc(createMfccPlan(config), bad, 16000, out), `at ${at}`).toBe(false);
    }
  });
});

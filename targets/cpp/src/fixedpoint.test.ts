import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as fp from '@tinyforge/blocks/learn/ir/fixedpoint';
import { quantizeInput } from '@tinyforge/blocks/learn/ir/interpreter';
import { Rng } from '@tinyforge/blocks/learn/nn/rng';
import type { IrModel } from '@tinyforge/blocks/learn/ir/model';
import { buildHost, runBinary, writeFiles } from './build/host-build.js';
import { sdkFiles } from './emit-library.js';

const HARNESS = fileURLToPath(new URL('../runtime/harness/fixedpoint_harness.cpp', import.meta.url));

type Case = [fn: number, a: number, b: number, c: number];

/** The TypeScript reference for each harness function. */
function reference([fn, a, b, c]: Case): [number, number] {
  switch (fn) {
    case 0: return [fp.saturatingRoundingDoublingHighMul(a, b), 0];
    case 1: return [fp.roundingDivideByPOT(a, b), 0];
    case 2: return [fp.multiplyByQuantizedMultiplier(a, b, c), 0];
    case 3: return [fp.saturatingRoundingMultiplyByPOT(a, b), 0];
    case 4: return [fp.expOnNegativeValues(a, b), 0];
    case 5: return [fp.oneOverOnePlusXForXIn01(a), 0];
    case 6: { const r = fp.getReciprocal(a, b); return [r.reciprocal, r.numBitsOverUnit]; }
    case 7: {
      const f = new Float32Array(new Int32Array([a, b]).buffer);
      const model = { ir: { input: 0, tensors: [{ id: 0, name: 'x', dtype: 'int8', shape: [1, 1], quant: { scale: [f[1]!], zeroPoint: [c] } }] } } as unknown as IrModel;
      return [quantizeInput(model, [f[0]!])[0]!, 0];
    }
    case 8: return [fp.roundingDivideByPOT(a, b), 0];
    case 9: return [fp.multiplyByQuantizedMultiplier(a, b, c), 0];
  }
  throw new Error(`fn ${fn}`);
}

describe('C fixed-point helpers equal the TypeScript reference', () => {
  it('on edge values and 20,000 random cases per function', async () => {
    const rng = new Rng(99);
    const i32 = (): number => rng.nextUint32() | 0;
    const edges = [0, 1, -1, 2, -2, 3, -3, 0x7fffffff, -0x80000000, 0x40000000, -0x40000000, 0x3fffffff, -0x3fffffff, 65535, -65536, 12345, -12345];
    const cases: Case[] = [];
    for (const a of edges) for (const b of edges) cases.push([0, a, b, 0]);
    for (const a of edges) for (let e = 0; e <= 31; e++) cases.push([1, a, e, 0], [8, a, e, 0]);
    // The one-step requantization of the SIMD kernels (right shifts 2..31) on edges and ties.
    for (const a of edges) for (const m of [1 << 30, 0x7fffffff, 0x40000001, 0x5a5a5a5a]) for (let s = -31; s <= -2; s++) cases.push([9, a, m, s]);
    for (let k = 0; k < 20000; k++) {
      const a = rng.next() < 0.5 ? i32() : (i32() >> Math.floor(rng.next() * 31));
      const m = rng.next() < 0.2 ? 1 << 30 : 0x40000000 + Math.floor(rng.next() * 0x3fffffff);
      const tieA = (a & ~0xfff) | 0x800; // low bits 1000…: a rounding tie for small shifts
      cases.push([0, a, i32(), 0], [0, a, m, 0], [1, a, Math.floor(rng.next() * 32), 0], [1, tieA, 12, 0], [8, tieA, 12, 0]);
      cases.push([2, a, m, Math.floor(rng.next() * 63) - 31], [2, a >> 12, m, Math.floor(rng.next() * 12) - 10], [2, rng.next() < 0.5 ? 1 : -1, 1 << 30, 0]);
      cases.push([3, a, Math.floor(rng.next() * 61) - 30, 0]);
      const s9 = -2 - Math.floor(rng.next() * 30);
      const tie9 = (a & ~((1 << (-s9 + 1)) - 1)) | (1 << -s9); // with m = 2^30: a tie of the final division
      for (const t of [tie9, tie9 - 1, -tie9, 1 - tie9]) cases.push([9, t | 0, 1 << 30, s9]);
      cases.push([9, a, m, s9], [9, a >> 12, m, -2 - Math.floor(rng.next() * 12)]);
      cases.push([4, -(Math.abs(a) >> Math.floor(rng.next() * 8)) | 0, 5, 0], [5, Math.abs(a) | 0, 0, 0], [6, (Math.abs(a) >> Math.floor(rng.next() * 20)) | 0 || 1, 12, 0]);
      const x = Math.fround((rng.next() * 2 - 1) * 10 ** Math.floor(rng.next() * 4));
      const scale = Math.fround(0.001 + rng.next());
      const zp = Math.floor(rng.next() * 256) - 128;
      const half = Math.fround(scale * (Math.floor(rng.next() * 200) - 100 + 0.5)); // near-ties
      for (const v of [x, half, -half, 0, -0]) {
        const bits = new Int32Array(new Float32Array([v, scale]).buffer);
        cases.push([7, bits[0]!, bits[1]!, zp]);
      }
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'tf-fp-'));
    const files = sdkFiles();
    await writeFiles(dir, files);
    const exe = await buildHost(dir, files, { extraSources: [HARNESS], include: (rel) => rel === 'tinyforge-sdk/tf_fixedpoint.cpp' });
    const input = Buffer.alloc(cases.length * 13);
    cases.forEach(([f, a, b, c], i) => {
      input.writeUInt8(f, i * 13);
      input.writeInt32LE(a, i * 13 + 1);
      input.writeInt32LE(b, i * 13 + 5);
      input.writeInt32LE(c, i * 13 + 9);
    });
    const out = await runBinary(exe, [], input);
    expect(out.length).toBe(cases.length * 8);
    const bad: string[] = [];
    cases.forEach((c, i) => {
      const [r, r2] = reference(c);
      const got = [out.readInt32LE(i * 8), out.readInt32LE(i * 8 + 4)];
      if (got[0] !== r || got[1] !== r2) bad.push(`fn ${c[0]}(${c.slice(1).join(', ')}): expected ${r}/${r2}, got ${got.join('/')}`);
    });
    expect(bad.slice(0, 10)).toEqual([]);
  });
});

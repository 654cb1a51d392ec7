import { describe, expect, it } from 'vitest';
import { quantizeInput } from '@tinyforge/blocks/learn/ir/interpreter';
import { Rng } from '@tinyforge/blocks/learn/nn/rng';
import { compareWithReference, runGenerated } from './testing/golden.js';
import { dsCnn, eiConv1dKws, everyLayerModel, type TestModel } from './testing/models.js';
import { randomChain } from './testing/random-ir.js';

/** Quantized samples, uniformly random int8 vectors, and the two extremes. */
function vectors(m: TestModel, random: number, seed: number): Int8Array[] {
  const n = m.int8.ir.tensors[m.int8.ir.input]!.shape.reduce((a, b) => a * b, 1);
  const rng = new Rng(seed);
  return [
    ...m.samples.slice(0, 8).map((s) => quantizeInput(m.int8, s)),
    ...Array.from({ length: random }, () => Int8Array.from({ length: n }, () => Math.floor(rng.next() * 256) - 128)),
    new Int8Array(n).fill(-128),
    new Int8Array(n).fill(127),
  ];
}

const builds: [string, string[]][] = [
  ['portable', []],
  ['DSP kernels (emulated SIMD)', ['TF_EMULATE_DSP']],
];

describe('generated C++ is bit-exact with runInt8 (host g++)', () => {
  const models = [everyLayerModel(), eiConv1dKws(), dsCnn()];
  for (const m of models)
    for (const [label, defines] of builds)
      it(`${m.name}, ${label}: every output and every intermediate tensor`, async () => {
        const inputs = vectors(m, 20, 7);
        const run = await runGenerated(m.int8, inputs, defines);
        expect(run.tensors.size).toBe(m.int8.ir.ops.length);
        expect(compareWithReference(m.int8, inputs, run)).toBeNull();
      });
});

describe('random IR chains aimed at arithmetic corners (ties, saturation, negative zero points)', () => {
  // 1-6: general; 7, 8, 15, 30, 42, 48, 50: k_h == 1 convolutions with in_c % 4 != 0 (window
  // lengths ≡ 1, 2, 3 mod 4, stride 2, padding) and dense layers with 2 mod 4 inputs, which the
  // DSP kernel reads as contiguous runs.
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 15, 30, 42, 48, 50])
    for (const [label, defines] of builds)
      it(`chain ${seed}, ${label}`, async () => {
        const m = randomChain(seed);
        const n = m.ir.tensors[m.ir.input]!.shape.reduce((a, b) => a * b, 1);
        const rng = new Rng(seed * 31);
        const inputs = [
          ...Array.from({ length: 40 }, () => Int8Array.from({ length: n }, () => Math.floor(rng.next() * 256) - 128)),
          new Int8Array(n).fill(-128),
          new Int8Array(n).fill(127),
          new Int8Array(n).fill(0),
        ];
        const run = await runGenerated(m, inputs, defines);
        expect(compareWithReference(m, inputs, run)).toBeNull();
      });
});

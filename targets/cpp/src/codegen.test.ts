import { describe, expect, it } from 'vitest';
import { quantizeInput } from '@tinyforge/blocks/learn/ir/interpreter';
import { Rng } from '@tinyforge/blocks/learn/nn/rng';
import { compareWithReference, runGenerated } from './testing/golden.js';
import { dsCnn, eiConv1dKws, everyLayerModel, microSpeech, wideRowModel, type TestModel } from './testing/models.js';
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
  const models = [everyLayerModel(), eiConv1dKws(), dsCnn(), microSpeech(), wideRowModel()];
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
  // DSP kernel reads as contiguous runs. 4, 11, 18, 45: (depthwise) convolutions the planner
  // splits into row ranges with the scratch in dead input/output rows.
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 11, 15, 18, 30, 42, 45, 48, 50])
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

describe('warning-free builds (-std=c++11 -Wall -Wextra -Werror -pedantic)', () => {
  const compilers: [string, string[]][] = [
    ['g++', []],
    ['clang++', []],
    ['arm-none-eabi-g++', ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-Os']],
    ['arm-none-eabi-g++', ['-mcpu=cortex-m0plus', '-mthumb', '-Os']],
  ];
  it('model and SDK kernels with g++, clang++ (portable and emulated SIMD) and arm-none-eabi-g++ (M4, M0+)', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { writeFiles } = await import('./build/host-build.js');
    const { emitCppLibrarySync } = await import('./emit-library.js');
    const run = promisify(execFile);
    const have = async (cc: string): Promise<boolean> => run(cc, ['--version']).then(() => true, () => false);
    const failures: string[] = [];
    const jobs: Promise<unknown>[] = [];
    const models = [everyLayerModel().int8, dsCnn().int8, randomChain(2), everyLayerModel().float];
    const dirs = await Promise.all(models.map(async (m) => {
      const dir = await mkdtemp(path.join(tmpdir(), 'tf-warn-'));
      await writeFiles(dir, emitCppLibrarySync(m).files);
      return dir;
    }));
    // The classifier API too, with and without a DSP block compiled in (MFCC, continuous mode).
    const { dspFromEmission } = await import('./dsp-glue.js');
    const { default: mfccBlock } = await import('@tinyforge/blocks/dsp/mfcc/index');
    const em = (mfccBlock as unknown as { emitC: (p: unknown, i: object) => Parameters<typeof dspFromEmission>[1] }).emitC(mfccBlock.params.parse({}), { frames: 16000, axes: 1, frequency: 16000 });
    const dspDir = await mkdtemp(path.join(tmpdir(), 'tf-warn-'));
    await writeFiles(dspDir, emitCppLibrarySync(eiConv1dKws().int8, dspFromEmission('dsp/mfcc', em), { frequency: 16000, continuous: { strideMs: 250, averageWindowMs: 500, detectionThreshold: 0.6, suppressionMs: 500 } }).files);
    const classifier = ['tinyforge-sdk/classifier/tf_run_classifier.cpp', 'tinyforge-sdk/classifier/tf_continuous.cpp'];
    for (const [cc, flags] of compilers) {
      if (!(await have(cc))) {
        if (process.env.CI === 'true') throw new Error(`CI: ${cc} is missing`);
        console.log(`skipping ${cc}: not installed`);
        continue;
      }
      // Host compilers check syntax and warnings; the cross compiler also generates code (asm constraints).
      const mode = cc.startsWith('arm') ? ['-c', '-o', '/dev/null'] : ['-fsyntax-only'];
      const compile = (dir: string, src: string, v: string[]): void => {
        jobs.push(run(cc, ['-std=c++11', '-Wall', '-Wextra', '-Werror', '-pedantic', '-fno-exceptions', '-fno-rtti', ...flags, ...v, `-I${dir}`, ...mode, path.join(dir, src)]).catch((e: Error) =>
          failures.push(`${cc} ${[...flags, ...v].join(' ')} ${src}: ${e.message.split('\n').slice(1, 3).join(' ')}`),
        ));
      };
      for (const v of cc.startsWith('arm') ? [[]] : [[], ['-DTF_EMULATE_DSP']]) {
        for (const src of ['tinyforge-sdk/tf_kernels_s8.cpp', 'tinyforge-sdk/tf_kernels_f32.cpp', 'tinyforge-sdk/tf_fixedpoint.cpp']) compile(dirs[0]!, src, v);
        for (const dir of dirs) compile(dir, 'model/tf_model.cpp', v);
        for (const src of classifier) for (const dir of [dirs[0]!, dirs[3]!]) compile(dir, src, v);
        for (const src of [...classifier, 'model/tf_model.cpp', 'model/tf_dsp_block.cpp']) for (const d of [[], ['-DTF_DSP_SIGNAL_COPY=0']]) compile(dspDir, src, [...v, ...d]);
      }
    }
    await Promise.all(jobs);
    expect(failures).toEqual([]);
  }, 120_000);
});

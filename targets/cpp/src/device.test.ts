import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { IrModel } from '@tinyforge/blocks/learn/ir/model';
import { quantizeInput, runInt8, dequantizeOutput } from '@tinyforge/blocks/learn/ir/interpreter';
import { cortexMAvailable, estimateCore } from '../../../test/support/cortex-m4.js';
import mfccBlock from '@tinyforge/blocks/dsp/mfcc/index';
import { writeFiles } from './build/host-build.js';
import { dspFromEmission } from './dsp-glue.js';
import { emitCppLibrarySync } from './emit-library.js';
import { dsCnn, eiConv1dKws, everyLayerModel, microSpeech, wideRowModel } from './testing/models.js';
import { randomChain } from './testing/random-ir.js';
import target from './index.js';

const run = promisify(execFile);
const available = await cortexMAvailable();
const HASHES = ['-DBENCH_TENSOR_HASHES=1'];

/** FNV-1a of the bytes of every tensor runInt8 computes (as bench_main prints them). */
function referenceHashes(model: IrModel, input: Int8Array): Map<number, number> {
  const out = new Map<number, number>();
  runInt8(model, input, (id, data) => {
    let h = 2166136261;
    for (const v of data) h = Math.imul(h ^ (v & 0xff), 16777619) >>> 0;
    out.set(id, h);
  });
  return out;
}

/** Every op output of the device run equals the reference's (ids whose hashes differ, or []). */
function layerMismatches(model: IrModel, input: Int8Array, got: Map<number, number> | undefined): string[] {
  const want = referenceHashes(model, input);
  if (!got || got.size !== model.ir.ops.length) return [`expected ${model.ir.ops.length} tensor hashes, got ${got?.size ?? 0}`];
  return [...got].filter(([id, h]) => want.get(id) !== h).map(([id]) => `${model.ir.tensors[id]?.name ?? id}`);
}

describe.skipIf(!available)('on Cortex-M under QEMU (real DSP-extension instructions)', () => {
  it('Cortex-M4: DS-CNN and EI conv1d outputs equal runInt8; sizes and counts are reported', async () => {
    for (const m of [dsCnn(), eiConv1dKws()]) {
      const q = quantizeInput(m.int8, m.samples[1]!);
      const lib = emitCppLibrarySync(m.int8);
      const est = await estimateCore(lib.files, 'cortex-m4', { int8: q });
      expect(est.output).toEqual(Array.from(runInt8(m.int8, q)));
      expect(est.nnInstructions).toBeGreaterThan(lib.model.macs / 4);
      expect(est.ramBytes).toBe(lib.model.plan.arenaBytes);
      expect(est.flashBytes).toBeGreaterThan(lib.model.constBytes);
    }
  });

  it('Cortex-M4: the KWS reference library through run_classifier(): DSP in the arena, RAM static + peak stack ≤ 6 KB, output = runInt8', async () => {
    const m = eiConv1dKws();
    const em = (mfccBlock as unknown as { emitC: (p: unknown, i: object) => Parameters<typeof dspFromEmission>[1] }).emitC(mfccBlock.params.parse({}), { frames: 16000, axes: 1, frequency: 16000 });
    const lib = emitCppLibrarySync(m.int8, dspFromEmission('dsp/mfcc', em), { name: 'kws', frequency: 16000 });
    const raw = Float32Array.from({ length: 16000 }, (_, i) => Math.round(2500 * Math.sin((2 * Math.PI * 700 * i) / 16000) + 900 * Math.sin(i * i * 1e-4)));
    const est = await estimateCore(lib.files, 'cortex-m4', { raw }, HASHES);
    const features = Int8Array.from(est.features!);
    expect(new Set(features).size).toBeGreaterThan(8); // real features, not a constant
    expect(est.output).toEqual(Array.from(runInt8(m.int8, features)));
    expect(layerMismatches(m.int8, features, est.tensorHashes)).toEqual([]);
    // No float feature buffer or DSP scratch outside the arena (a pointer and padding at most).
    expect(est.ramBytes - lib.model.arenaBytes).toBeGreaterThanOrEqual(0);
    expect(est.ramBytes - lib.model.arenaBytes).toBeLessThan(16);
    expect(lib.model.arenaBytes).toBeLessThan(lib.model.plan.arenaBytes + em.outputSize * 4 + em.ramBytes);
    expect(est.runStackBytes).toBeGreaterThanOrEqual(Math.max(est.dspStackBytes!, est.nnStackBytes!));
    expect(est.libraryRamBytes).toBe(est.ramBytes + est.runStackBytes!);
    expect(est.libraryRamBytes).toBeLessThanOrEqual(6144);
    expect(est.runInstructions).toBeGreaterThan(est.dspInstructions! + est.nnInstructions!);
  });

  it('Cortex-M4: every layer of the test models equals runInt8 (SIMD assembly paths)', async () => {
    // Final outputs alone can hide a wrong layer (a saturated softmax); compare every op output.
    for (const m of [dsCnn(), eiConv1dKws(), everyLayerModel(), microSpeech(), wideRowModel()]) {
      const n = m.int8.ir.tensors[m.int8.ir.input]!.shape.reduce((a, b) => a * b, 1);
      const random = Int8Array.from({ length: n }, (_, i) => ((i * 97 + 13) % 256) - 128);
      for (const q of [quantizeInput(m.int8, m.samples[0]!), random]) {
        const est = await estimateCore(emitCppLibrarySync(m.int8).files, 'cortex-m4', { int8: q }, HASHES);
        expect(layerMismatches(m.int8, q, est.tensorHashes), m.name).toEqual([]);
      }
    }
  });

  it('Cortex-M4: micro_speech in ≤ 6,000 B of RAM (input included): the conv runs by row ranges, scratch in dead rows, every layer exact', async () => {
    const m = microSpeech();
    const lib = emitCppLibrarySync(m.int8);
    const split = lib.model.rowSplits.find((r) => r.key === 's1');
    expect(split?.ranges.length).toBe(2);
    expect(lib.model.source).toContain('tf_conv_s8_rows(&op1');
    expect(lib.model.plan.arenaBytes).toBeLessThanOrEqual(6000);
    const q = quantizeInput(m.int8, m.samples[2]!);
    const est = await estimateCore(lib.files, 'cortex-m4', { int8: q });
    expect(est.output).toEqual(Array.from(runInt8(m.int8, q)));
    expect(est.ramBytes).toBe(lib.model.plan.arenaBytes); // no scratch outside the arena either
    expect(est.nnInstructions).toBeLessThanOrEqual(1_000_000);
    for (const v of [q, Int8Array.from({ length: 49 * 40 }, (_, i) => ((i * 61 + 7) % 256) - 128)]) {
      const hashed = await estimateCore(lib.files, 'cortex-m4', { int8: v }, HASHES);
      expect(layerMismatches(m.int8, v, hashed.tensorHashes)).toEqual([]);
    }
  });

  it('Cortex-M4: random arithmetic-corner chains are bit-exact on the device', async () => {
    for (const seed of [2, 5, 7, 42]) {
      const m = randomChain(seed);
      const n = m.ir.tensors[m.ir.input]!.shape.reduce((a, b) => a * b, 1);
      const q = Int8Array.from({ length: n }, (_, i) => ((i * 73 + seed * 11) % 256) - 128);
      const est = await estimateCore(emitCppLibrarySync(m).files, 'cortex-m4', { int8: q }, HASHES);
      expect(est.output).toEqual(Array.from(runInt8(m, q)));
      expect(layerMismatches(m, q, est.tensorHashes), `chain ${seed}`).toEqual([]);
    }
  });

  it('Cortex-M33 runs bit-exact; Cortex-M0+ (portable kernels, soft float) builds', async () => {
    const m = eiConv1dKws();
    const q = quantizeInput(m.int8, m.samples[2]!);
    const lib = emitCppLibrarySync(m.int8);
    const m33 = await estimateCore(lib.files, 'cortex-m33', { int8: q }, HASHES);
    expect(m33.output).toEqual(Array.from(runInt8(m.int8, q)));
    expect(layerMismatches(m.int8, q, m33.tensorHashes)).toEqual([]);
    const m0 = await estimateCore(lib.files, 'cortex-m0plus', { int8: q });
    expect(m0.flashBytes).toBeGreaterThan(lib.model.constBytes);
    expect(m0.nnInstructions).toBeUndefined();
  });

  it('the cpp target writes the library and estimate.json with device figures', async () => {
    const m = eiConv1dKws();
    const golden = { vectors: [{ input: Array.from(quantizeInput(m.int8, m.samples[0]!)) }] };
    const files: Record<string, Buffer> = {
      'ir.int8.json': Buffer.from(JSON.stringify(m.int8.ir)),
      'weights.int8.bin': Buffer.from(m.int8.bin),
      'golden.int8.json': Buffer.from(JSON.stringify(golden)),
    };
    const written = new Map<string, string | Uint8Array>();
    const log = { info: () => {}, warn: () => {}, debug: () => {} };
    await target.emit({
      params: target.params.parse({ cores: ['cortex-m4'] }),
      model: { kind: 'model', digest: 'x', meta: {}, files: Object.keys(files).map((name) => ({ name, digest: '', size: files[name]!.length })), readFile: async (n: string) => files[n]!, readJson: async (n: string) => JSON.parse(files[n]!.toString()) },
      dsp: [],
      output: { writeFile: async (p: string, d: string | Uint8Array) => void written.set(p, d), writeJson: async (p: string, v: unknown) => void written.set(p, JSON.stringify(v)) },
      pipeline: { name: 'kws' },
      log,
      signal: new AbortController().signal,
    } as never);
    expect(written.has('model-parameters/model_metadata.h')).toBe(true);
    const est = JSON.parse(String(written.get('estimate.json')));
    expect(est.bitExactOnDevice).toBe(true);
    expect(est.cores[0].nnInstructions).toBeGreaterThan(0);
    expect(est.libraryRam.totalBytes).toBe(est.cores[0].ramBytes + est.cores[0].nnStackBytes);
  });
});

describe('standalone example (host CMake build)', () => {
  it('classifies a features file from the command line like the reference', async () => {
    const m = eiConv1dKws();
    const dir = await mkdtemp(path.join(tmpdir(), 'tf-standalone-'));
    const lib = emitCppLibrarySync(m.int8, undefined, { name: 'kws_test' });
    await writeFiles(dir, lib.files);
    await run('cmake', ['-S', dir, '-B', path.join(dir, 'build'), '-DCMAKE_BUILD_TYPE=Release']);
    await run('cmake', ['--build', path.join(dir, 'build'), '-j', '2']);
    const features = m.samples[3]!;
    const file = path.join(dir, 'features.txt');
    await writeFiles(dir, new Map([['features.txt', Array.from(features).join(', ')]]));
    const { stdout } = await run(path.join(dir, 'build', 'standalone'), ['-f', file]);
    const want = dequantizeOutput(m.int8, runInt8(m.int8, quantizeInput(m.int8, features)));
    for (let i = 0; i < want.length; i++) expect(stdout).toContain(`class_${i}: ${want[i]!.toFixed(5)}`);
    expect(await readFile(path.join(dir, 'README.md'), 'utf8')).toContain('arena');
  });
});

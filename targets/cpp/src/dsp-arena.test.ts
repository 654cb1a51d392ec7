import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { quantizeInput, runInt8 } from '@tinyforge/blocks/learn/ir/interpreter';
import { toolchainReady } from '../../../test/support/c-harness.js';
import { buildHost, compileCSources, runBinary, writeFiles } from './build/host-build.js';
import mfccBlock from '@tinyforge/blocks/dsp/mfcc/index';
import { dspFromEmission } from './dsp-glue.js';
import { emitCppLibrarySync } from './emit-library.js';
import { dspArenaLayout } from './emit-model.js';
import { eiConv1dKws } from './testing/models.js';

/** run_classifier's conversion, byte for byte: float j read at F + 4j, int8 j written at I + j, ascending. */
function quantizeInPlace(arena: ArrayBuffer, featuresOffset: number, inputOffset: number, count: number, scale: number, zp: number): Int8Array {
  const view = new DataView(arena);
  const s = Math.fround(scale);
  for (let j = 0; j < count; j++) {
    const q = Math.fround(view.getFloat32(featuresOffset + 4 * j, true) / s);
    const r = q < 0 ? -Math.round(-q) : Math.round(q); // half away from zero
    view.setInt8(inputOffset + j, Math.max(-128, Math.min(127, r + zp)));
  }
  return new Int8Array(arena, inputOffset, count).slice();
}

describe('DSP front end inside the model arena', () => {
  it('features start on the input tensor, scratch never overlaps them, the arena holds both', () => {
    for (const inputOffset of [0, 8, 400, 4096])
      for (const featureCount of [1, 13, 650, 2000])
        for (const scratchBytes of [0, 4, 2052, 5000]) {
          const { layout, end } = dspArenaLayout(inputOffset, { featureCount, scratchBytes });
          const f = [layout.featuresOffset, layout.featuresOffset + 4 * featureCount];
          const s = [layout.scratchOffset, layout.scratchOffset + scratchBytes];
          expect(layout.featuresOffset).toBe(inputOffset);
          if (scratchBytes > 0) expect(s[1]! <= f[0]! || f[1]! <= s[0]!).toBe(true);
          expect(end).toBeGreaterThanOrEqual(Math.max(f[1]!, s[1]!));
          expect(layout.scratchOffset % 8).toBe(0);
          if (inputOffset === 0) expect(end).toBe(layout.lowerBound);
        }
  });

  it('quantizing the features in place (ascending) gives the reference input; a lower float start would not', () => {
    const m = eiConv1dKws();
    const t = m.int8.ir.tensors[m.int8.ir.input]!;
    const [scale, zp] = [t.quant!.scale[0]!, t.quant!.zeroPoint[0]!];
    const features = m.samples[0]!;
    const want = quantizeInput(m.int8, features);
    const lib = emitCppLibrarySync(m.int8, { block: 'dsp/x', inputLength: 1, outputLength: features.length, scratchBytes: 100, files: new Map(), glue: '' });
    const layout = lib.model.dspLayout!;
    const inputOffset = lib.model.plan.offsets.get(`t${m.int8.ir.input}`)!;
    const arena = new ArrayBuffer(lib.model.arenaBytes);
    new Float32Array(arena, layout.featuresOffset, features.length).set(features);
    expect(layout.featuresOffset).toBe(inputOffset);
    expect(Array.from(quantizeInPlace(arena, layout.featuresOffset, inputOffset, features.length, scale, zp))).toEqual(Array.from(want));
    // The check can fail: with the floats starting 7 bytes below the input, int8 j lands on the
    // sign/exponent byte of float j + 2 before it is read.
    const low = new ArrayBuffer(4 * features.length + 16);
    new Float32Array(low, 0, features.length).set(features);
    expect(Array.from(quantizeInPlace(low, 0, 7, features.length, scale, zp))).not.toEqual(Array.from(want));
  });

  it('the KWS reference library: one arena for MFCC features + scratch, then the network; no feature buffer of its own', () => {
    const m = eiConv1dKws();
    const params = mfccBlock.params.parse({});
    const em = (mfccBlock as unknown as { emitC: (p: unknown, i: object) => Parameters<typeof dspFromEmission>[1] }).emitC(params, { frames: 16000, axes: 1, frequency: 16000 });
    const lib = emitCppLibrarySync(m.int8, dspFromEmission('dsp/mfcc', em), { name: 'kws', frequency: 16000 });
    const featureBytes = em.outputSize * 4;
    expect(lib.model.dspLayout!.lowerBound).toBe(Math.ceil(featureBytes / 8) * 8 + Math.ceil(em.ramBytes / 8) * 8);
    expect(lib.model.arenaBytes).toBe(Math.max(lib.model.plan.arenaBytes, lib.model.dspLayout!.lowerBound));
    const glue = lib.files.get('model/tf_dsp_block.cpp')!;
    expect(glue).toContain('tf_model_dsp_scratch()');
    expect(glue).not.toMatch(/static float tf_dsp_scratch/);
    expect(lib.files.get('tinyforge-sdk/classifier/tf_run_classifier.cpp')).not.toMatch(/static float tf_features/);
    expect(lib.files.get('model-parameters/model_metadata.h')).toContain(`EI_CLASSIFIER_TFLITE_LARGEST_ARENA_SIZE ${lib.model.arenaBytes}`);
  });
});

const haveGxx = toolchainReady(['g++', 'gcc'], 'DSP-in-arena host test', 'apt-get install g++ gcc');

/* A raw window on stdin → run_classifier() on a buffer signal, then on a get_data signal (the
 * copy path), then the DSP alone into a buffer of the harness's own; prints outputs and features. */
const HARNESS = `#include <stdio.h>
#include "tinyforge-sdk/classifier/tf_run_classifier.h"
#include "model/tf_model.h"
#include "model/tf_dsp_block.h"
static float raw[EI_CLASSIFIER_RAW_SAMPLE_COUNT];
static float features[EI_CLASSIFIER_NN_INPUT_FRAME_SIZE];
static int get_raw(size_t offset, size_t length, float *out) {
  for (size_t i = 0; i < length; i++) out[i] = raw[offset + i];
  return 0;
}
static void print_output(void) {
  for (int i = 0; i < TF_MODEL_OUTPUT_COUNT; i++) printf(" %d", tf_model_output()[i]);
  printf("\\n");
}
int main(void) {
  if (fread(raw, sizeof(float), EI_CLASSIFIER_RAW_SAMPLE_COUNT, stdin) != EI_CLASSIFIER_RAW_SAMPLE_COUNT) return 2;
  signal_t signal;
  signal_from_buffer(raw, EI_CLASSIFIER_RAW_SAMPLE_COUNT, &signal);
  ei_impulse_result_t result;
  printf("buffer %d", (int)run_classifier(&signal, &result, false));
  print_output();
  signal_t callback = { get_raw, EI_CLASSIFIER_RAW_SAMPLE_COUNT };
  printf("callback %d", (int)run_classifier(&callback, &result, false));
  print_output();
  signal_t short_signal = { get_raw, EI_CLASSIFIER_RAW_SAMPLE_COUNT - 1 };
  printf("short %d\\n", (int)run_classifier(&short_signal, &result, false));
  printf("features %d", tf_dsp_block_run_buffer(raw, features));
  for (int i = 0; i < EI_CLASSIFIER_NN_INPUT_FRAME_SIZE; i++) printf(" %.9g", (double)features[i]);
  printf("\\n");
  return 0;
}
`;

describe.skipIf(!haveGxx)('run_classifier() with the DSP in the arena (host g++, UBSan)', () => {
  it('buffer and get_data signals give the reference network output on the DSP features; a short signal is an error', async () => {
        const m = eiConv1dKws();
    const em = (mfccBlock as unknown as { emitC: (p: unknown, i: object) => Parameters<typeof dspFromEmission>[1] }).emitC(mfccBlock.params.parse({}), { frames: 16000, axes: 1, frequency: 16000 });
    const lib = emitCppLibrarySync(m.int8, dspFromEmission('dsp/mfcc', em), { name: 'kws', frequency: 16000 });
    lib.files.set('harness.cpp', HARNESS);
    const dir = await mkdtemp(path.join(tmpdir(), 'tf-dsp-arena-'));
    await writeFiles(dir, lib.files);
    // The DSP block's sources are C99: compiled with gcc, linked in as objects.
    const cObjects = await compileCSources(dir, lib.files);
    const exe = await buildHost(dir, lib.files, { optimize: '-O2', output: 'harness', extraSources: cObjects });
    for (const seed of [1, 2]) {
      const raw = Float32Array.from({ length: 16000 }, (_, i) => Math.round(3000 * Math.sin((2 * Math.PI * 300 * seed * i) / 16000) + 1500 * Math.sin(i * i * 7e-5 * seed)));
      const lines = (await runBinary(exe, [], new Uint8Array(raw.buffer))).toString().trim().split('\n');
      const field = (name: string): number[] => lines.find((l) => l.startsWith(`${name} `))!.split(' ').slice(1).map(Number);
      const features = Float32Array.from(field('features').slice(1));
      expect(field('features')[0]).toBe(0);
      expect(features.length).toBe(em.outputSize);
      const want = [0, ...runInt8(m.int8, quantizeInput(m.int8, features))];
      expect(field('buffer')).toEqual(want);
      expect(field('callback')).toEqual(want);
      expect(field('short')).toEqual([-1]);
    }
  }, 60_000);
});

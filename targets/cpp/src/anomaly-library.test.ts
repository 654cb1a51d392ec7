/**
 * The anomaly model inside the generated library: run_classifier() fills result.anomaly with
 * the score of the float features (before they become the int8 input), for libraries fed
 * features and for libraries with the DSP compiled in, and the classification is unchanged.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { anomalyScore, fitAnomaly, type AnomalyModel } from '@tinyforge/blocks/learn/anomaly/model';
import { anomalyParams } from '@tinyforge/blocks/learn/anomaly/params';
import { quantizeInput, runInt8 } from '@tinyforge/blocks/learn/ir/interpreter';
import { Rng } from '@tinyforge/blocks/learn/nn/rng';
import mfccBlock from '@tinyforge/blocks/dsp/mfcc/index';
import { toolchainReady } from '../../../test/support/c-harness.js';
import { buildHost, compileCSources, runBinary, writeFiles } from './build/host-build.js';
import { dspFromEmission } from './dsp-glue.js';
import { emitCppLibrarySync } from './emit-library.js';
import { eiConv1dKws } from './testing/models.js';

const haveGxx = toolchainReady(['g++', 'gcc'], 'anomaly-in-library host test', 'apt-get install g++ gcc');
const FEATURES = 650; // eiConv1dKws: 50 frames × 13 MFCC

/** float32 scorer vs the float64 reference on standardised axes: a few ulps of the score's terms. */
const close = (got: number, want: number): boolean => Math.abs(got - want) <= 1e-4 * (1 + Math.abs(want));

function models(train: Float32Array[]): Record<string, AnomalyModel> {
  return {
    kmeans: fitAnomaly(train, anomalyParams.parse({ axes: [0, 1, 2, 3, 13, 14], clusters: 6 }), null),
    gmm: fitAnomaly(train, anomalyParams.parse({ method: 'gmm', components: 3, axes: [0, 5, 13, 26, 39] }), null),
  };
}

/** Prints, per input: the return code, result.anomaly and the label scores (buffer signal). */
const FEATURE_HARNESS = `#include <stdio.h>
#include "tinyforge-sdk/classifier/tf_run_classifier_c.h"
#include "model-parameters/model_metadata.h"
int main(void) {
  static float in[EI_CLASSIFIER_NN_INPUT_FRAME_SIZE];
  while (fread(in, sizeof(float), EI_CLASSIFIER_NN_INPUT_FRAME_SIZE, stdin) == EI_CLASSIFIER_NN_INPUT_FRAME_SIZE) {
    float scores[EI_CLASSIFIER_LABEL_COUNT], anomaly = -1.0f;
    const int rc = tf_classify(in, EI_CLASSIFIER_NN_INPUT_FRAME_SIZE, scores, &anomaly);
    printf("%d %.9g", rc, (double)anomaly);
    for (int i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) printf(" %.9g", (double)scores[i]);
    printf("\\n");
  }
  return 0;
}
`;

/** Raw window in; prints result.anomaly, then the DSP features the library computed. */
const DSP_HARNESS = `#include <stdio.h>
#include "tinyforge-sdk/classifier/tf_run_classifier.h"
#include "model/tf_dsp_block.h"
int main(void) {
  static float raw[EI_CLASSIFIER_RAW_SAMPLE_COUNT], features[EI_CLASSIFIER_NN_INPUT_FRAME_SIZE];
  if (fread(raw, sizeof(float), EI_CLASSIFIER_RAW_SAMPLE_COUNT, stdin) != EI_CLASSIFIER_RAW_SAMPLE_COUNT) return 2;
  signal_t signal;
  signal_from_buffer(raw, EI_CLASSIFIER_RAW_SAMPLE_COUNT, &signal);
  ei_impulse_result_t result;
  const int rc = (int)run_classifier(&signal, &result, false);
  printf("run %d %.9g\\n", rc, (double)result.anomaly);
  printf("features %d", tf_dsp_block_run_buffer(raw, features));
  for (int i = 0; i < EI_CLASSIFIER_NN_INPUT_FRAME_SIZE; i++) printf(" %.9g", (double)features[i]);
  printf("\\n");
  return 0;
}
`;

describe.skipIf(!haveGxx)('anomaly scoring in the generated library (host g++)', () => {
  const rng = new Rng(7);
  const normal = (): Float32Array => Float32Array.from({ length: FEATURES }, (_, i) => 5 * Math.sin(i) + rng.uniform(-3, 3));
  const train = Array.from({ length: 120 }, normal);

  it('a features-in library reports result.anomaly = the model score, and the same labels as without it', async () => {
    const m = eiConv1dKws();
    const tests = [...Array.from({ length: 12 }, normal), ...Array.from({ length: 12 }, () => normal().map((v, i) => (i % 13 === 0 ? v + 25 : v)))];
    const stdin = new Uint8Array(tests.length * FEATURES * 4);
    tests.forEach((v, i) => stdin.set(new Uint8Array(v.buffer), i * FEATURES * 4));
    for (const [method, model] of Object.entries(models(train))) {
      const lib = emitCppLibrarySync(m.int8, undefined, { name: `anomaly_${method}`, anomaly: model });
      expect(lib.files.get('model-parameters/model_metadata.h')).toMatch(/#define EI_CLASSIFIER_HAS_ANOMALY 1/);
      lib.files.set('harness.cpp', FEATURE_HARNESS);
      const dir = await mkdtemp(path.join(tmpdir(), `tf-anomaly-lib-${method}-`));
      await writeFiles(dir, lib.files);
      const exe = await buildHost(dir, lib.files, { optimize: '-O2', output: 'harness' });
      const rows = (await runBinary(exe, [], stdin)).toString().trim().split('\n').map((l) => l.split(' ').map(Number));
      expect(rows.length).toBe(tests.length);
      let flagged = 0;
      rows.forEach((row, i) => {
        const want = anomalyScore(model, tests[i]!);
        expect(row[0], `vector ${i}`).toBe(0);
        expect(close(row[1]!, want), `${method} vector ${i}: C ${row[1]} vs TS ${want}`).toBe(true);
        if (want > model.threshold) flagged++;
        // Labels: the int8 reference on the same features (anomaly scoring did not touch the input).
        const out = runInt8(m.int8, quantizeInput(m.int8, tests[i]!));
        const q = m.int8.ir.tensors[m.int8.ir.output]!.quant!;
        expect(row.slice(2)).toEqual(Array.from(out, (v) => Math.fround(q.scale[0]! * (v - q.zeroPoint[0]!))));
      });
      // The shifted half is anomalous, the normal half mostly not: the scores mean something.
      expect(flagged).toBeGreaterThanOrEqual(12);
      expect(flagged).toBeLessThan(tests.length);
    }
  }, 120_000);

  it('with the DSP compiled in, result.anomaly scores the DSP features before they are quantized in place', async () => {
    const m = eiConv1dKws();
    const em = (mfccBlock as unknown as { emitC: (p: unknown, i: object) => Parameters<typeof dspFromEmission>[1] }).emitC(mfccBlock.params.parse({}), { frames: 16000, axes: 1, frequency: 16000 });
    const model = models(train).gmm!;
    const lib = emitCppLibrarySync(m.int8, dspFromEmission('dsp/mfcc', em), { name: 'kws_anomaly', frequency: 16000, anomaly: model });
    lib.files.set('harness.cpp', DSP_HARNESS);
    const dir = await mkdtemp(path.join(tmpdir(), 'tf-anomaly-dsp-'));
    await writeFiles(dir, lib.files);
    const exe = await buildHost(dir, lib.files, { optimize: '-O2', output: 'harness', extraSources: await compileCSources(dir, lib.files) });
    for (const seed of [1, 2, 3]) {
      const raw = Float32Array.from({ length: 16000 }, (_, i) => Math.round(3000 * Math.sin((2 * Math.PI * 220 * seed * i) / 16000) + 800 * Math.sin(i * i * 5e-5 * seed)));
      const lines = (await runBinary(exe, [], new Uint8Array(raw.buffer))).toString().trim().split('\n');
      const [, rc, anomaly] = lines[0]!.split(' ').map(Number) as [number, number, number];
      const features = Float32Array.from(lines[1]!.split(' ').slice(2).map(Number));
      expect(rc).toBe(0);
      expect(features.length).toBe(FEATURES);
      const want = anomalyScore(model, features);
      expect(close(anomaly, want), `seed ${seed}: C ${anomaly} vs TS ${want}`).toBe(true);
    }
  }, 120_000);

  it('an anomaly model reading a feature the classifier does not have is a clear error', () => {
    const m = eiConv1dKws();
    const model = { ...models(train).kmeans!, axes: [0, FEATURES] };
    expect(() => emitCppLibrarySync(m.int8, undefined, { anomaly: model })).toThrow(/reads feature 650, but the classifier's features have 650 values/);
  });
});

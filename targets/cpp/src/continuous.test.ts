/**
 * run_classifier_continuous() against the TypeScript simulation of `tinyforge calibrate`: a stream
 * of KWS clips spliced into background noise (runner/src/calibrate/stream.ts) is fed to the
 * generated library slice by slice (host g++); its per-window int8 outputs must equal the
 * reference interpreter on the TS MFCC of the same windows, and its detections (window index,
 * label, score) must equal runner/src/calibrate/postprocess.ts run on the same scores.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeWav } from '@tinyforge/blocks/ingest/readers/wav';
import { dequantizeOutput, quantizeInput, runInt8 } from '@tinyforge/blocks/learn/ir/interpreter';
import { lowerToFloatIr } from '@tinyforge/blocks/learn/ir/lower';
import { quantizeModel } from '@tinyforge/blocks/learn/ir/quantize';
import { buildNetwork } from '@tinyforge/blocks/learn/nn/network';
import { Rng } from '@tinyforge/blocks/learn/nn/rng';
import { parseLayers, presetLayers } from '@tinyforge/blocks/learn/nn/spec';
import { train, trainingSchema } from '@tinyforge/blocks/learn/nn/train';
import mfccBlock, { mfccConfig, mfccParams } from '@tinyforge/blocks/dsp/mfcc/index';
import { createMfccPlan, mfcc, mfccShape } from '@tinyforge/blocks/dsp/mfcc/mfcc';
import { toolchainReady } from '../../../test/support/c-harness.js';
import { postProcess, type Detection } from '../../../runner/src/calibrate/postprocess.js';
import { buildStream } from '../../../runner/src/calibrate/stream.js';
import { buildHost, compileCSources, runBinary, writeFiles } from './build/host-build.js';
import { dspFromEmission } from './dsp-glue.js';
import { emitCppLibrarySync } from './emit-library.js';
import { continuousLayout, DEFAULT_CONTINUOUS, type ContinuousOptions } from './continuous.js';
import { TinyforgeError } from '@tinyforge/sdk';

const KWS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../pipelines/kws');
const haveData = existsSync(path.join(KWS, 'data')) && existsSync(path.join(KWS, 'noise'));
if (!haveData) {
  if (process.env['CI'] === 'true') throw new Error(`KWS data missing at ${KWS} (required under CI)`);
  console.log(`skipping continuous-mode test: no KWS data at ${KWS}`);
}
const haveGxx = toolchainReady(['g++', 'gcc'], 'continuous-mode test', 'apt-get install g++ gcc');

const LABELS = ['_silence_', '_unknown_', 'no', 'yes'];
const FREQUENCY = 16000;
const WINDOW = 16000;

function wavs(dir: string, limit: number): Float32Array[] {
  return readdirSync(dir).filter((f) => f.endsWith('.wav')).sort().slice(0, limit).map((f) => {
    const w = decodeWav(new Uint8Array(readFileSync(path.join(dir, f))), f, 32768);
    const out = new Float32Array(WINDOW);
    out.set(w.samples.subarray(0, WINDOW));
    return out;
  });
}

/** C++ side: the stream (float32 LE on stdin) fed slice by slice; one line per classified window. */
const HARNESS = `#include <stdio.h>
#include "tinyforge-sdk/classifier/tf_run_classifier.h"
#include "model/tf_model.h"
#include "model/tf_dsp_block.h"
static float slice[EI_CLASSIFIER_SLICE_SIZE];
static float window[EI_CLASSIFIER_RAW_SAMPLE_COUNT];
static float features[EI_CLASSIFIER_NN_INPUT_FRAME_SIZE];
int main(void) {
  run_classifier_init();
  while (fread(slice, sizeof(float), EI_CLASSIFIER_SLICE_SIZE, stdin) == EI_CLASSIFIER_SLICE_SIZE) {
    /* The harness's own copy of the latest window, only to print its C features. */
    for (int i = 0; i < EI_CLASSIFIER_RAW_SAMPLE_COUNT - EI_CLASSIFIER_SLICE_SIZE; i++) window[i] = window[i + EI_CLASSIFIER_SLICE_SIZE];
    for (int i = 0; i < EI_CLASSIFIER_SLICE_SIZE; i++) window[EI_CLASSIFIER_RAW_SAMPLE_COUNT - EI_CLASSIFIER_SLICE_SIZE + i] = slice[i];
    signal_t signal;
    signal_from_buffer(slice, EI_CLASSIFIER_SLICE_SIZE, &signal);
    ei_impulse_result_t result;
    if (run_classifier_continuous(&signal, &result, false) != EI_IMPULSE_OK) { printf("error\\n"); return 1; }
    if (!result.continuous.ready) continue;
    const int8_t *out = tf_model_output();
    printf("%u %d %.9g", (unsigned)result.continuous.window_index, result.continuous.detected, (double)result.continuous.detected_score);
    for (int i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) printf(" %d", out[i]);
    for (int i = 0; i < EI_CLASSIFIER_LABEL_COUNT; i++) printf(" %.9g", (double)result.classification[i].value);
    if (tf_dsp_block_run_buffer(window, features) != 0) { printf("error\\n"); return 1; }
    for (int i = 0; i < EI_CLASSIFIER_NN_INPUT_FRAME_SIZE; i++) printf(" %.9g", (double)features[i]);
    printf("\\n");
  }
  return 0;
}
`;

const work = mkdtempSync(path.join(tmpdir(), 'tinyforge-continuous-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!haveData || !haveGxx)('run_classifier_continuous (host g++) equals the TS calibration simulation', () => {
  it('per-window int8 outputs and detections (index, label, score) match on a KWS stream in noise', async () => {
    // A small KWS model trained briefly on the pipeline's clips with the TS MFCC.
    const params = mfccParams.parse({});
    const plan = createMfccPlan(mfccConfig(params));
    const [rows, cols] = mfccShape(mfccConfig(params), FREQUENCY, WINDOW);
    const features = (signal: Float32Array): Float32Array => {
      const out = new Float32Array(rows * cols);
      mfcc(plan, signal, FREQUENCY, out);
      return out;
    };
    const perLabel = LABELS.map((l) => wavs(path.join(KWS, 'data', l), 70));
    const trainX: Float32Array[] = [];
    const trainY: number[] = [];
    perLabel.forEach((clips, label) => clips.slice(0, 60).forEach((c) => (trainX.push(features(c)), trainY.push(label))));
    const x = new Float64Array(trainX.length * rows * cols);
    trainX.forEach((f, i) => x.set(f, i * rows * cols));
    const net = buildNetwork(parseLayers(presetLayers('ei-conv1d-audio', cols)), [rows, cols], LABELS.length, new Rng(1));
    train(net, { x, n: trainX.length, labels: Int32Array.from(trainY) }, null, { kind: 'classification', numClasses: LABELS.length },
      trainingSchema.parse({ epochs: 30, learningRate: 0.005, validationSplit: 0, trainer: 'engine' }));
    const model = quantizeModel(lowerToFloatIr(net, { task: 'classification', labels: LABELS, dsp: null }), trainX.slice(0, 60));

    // The stream: held-out clips (not trained on) in looped background noise.
    const clips = perLabel.flatMap((cs, label) => cs.slice(60, 66).map((values, k) => ({ label: LABELS[label]!, id: `${label}-${k}`, values })));
    const noises = readdirSync(path.join(KWS, 'noise')).filter((f) => f.endsWith('.wav')).sort()
      .map((f) => decodeWav(new Uint8Array(readFileSync(path.join(KWS, 'noise', f))), f, 32768)).filter((w) => w.sampleRate === FREQUENCY && w.channels === 1).map((w) => w.samples);
    const stream = buildStream(clips, noises, { frequency: FREQUENCY, gapMs: [300, 900], tailMs: 2000, noiseRatio: 0.3, seed: 3 });

    const continuous: ContinuousOptions = { strideMs: 250, averageWindowMs: 500, detectionThreshold: 0.6, suppressionMs: 750 };
    const emitC = (mfccBlock as unknown as { emitC: (p: unknown, i: { frames: number; axes: number; frequency: number }) => never }).emitC;
    const dsp = dspFromEmission('dsp/mfcc', emitC(params, { frames: WINDOW, axes: 1, frequency: FREQUENCY }));
    const lib = emitCppLibrarySync(model, dsp, { name: 'kws_continuous', frequency: FREQUENCY, continuous });
    expect(lib.files.get('README.md')).toContain('run_classifier_continuous(&signal, &result, false)');
    const dir = path.join(work, 'lib');
    lib.files.set('harness.cpp', HARNESS);
    await writeFiles(dir, lib.files);
    // The DSP block's sources are C99: compiled with gcc, linked in as objects.
    const cObjects = await compileCSources(dir, lib.files);
    const exe = await buildHost(dir, lib.files, { optimize: '-O2', output: 'continuous', extraSources: cObjects });
    const stdout = (await runBinary(exe, [], new Uint8Array(stream.values.buffer, stream.values.byteOffset, stream.values.byteLength))).toString();

    const strideLen = Math.round((continuous.strideMs / 1000) * FREQUENCY);
    const windows = Math.floor((stream.values.length - WINDOW) / strideLen) + 1;
    const lines = stdout.trim().split('\n').map((l) => l.split(' '));
    expect(lines.length).toBe(windows);
    const n = LABELS.length;
    const cRaw: Int8Array[] = [];
    const cScores: Float32Array[] = [];
    const cDetections: Detection[] = [];
    const cFeatures: Float32Array[] = [];
    lines.forEach((f, i) => {
      expect(Number(f[0])).toBe(i);
      cRaw.push(Int8Array.from(f.slice(3, 3 + n).map(Number)));
      cScores.push(Float32Array.from(f.slice(3 + n, 3 + 2 * n).map(Number)));
      cFeatures.push(Float32Array.from(f.slice(3 + 2 * n).map(Number)));
      const label = Number(f[1]);
      if (label >= 0) cDetections.push({ index: i, timeMs: i * continuous.strideMs + 1000, label, score: Math.fround(Number(f[2])) });
    });

    // 1. The network and the window alignment: the interpreter on the C features of window k
    //    (k · stride, as calibrate.ts slides) gives exactly the library's int8 outputs.
    const keywords = [2, 3];
    const refRaw = cFeatures.map((feat) => runInt8(model, quantizeInput(model, feat)));
    expect(cRaw).toEqual(refRaw);
    // 2. The scores are the TS dequantization of those outputs; the detections are postprocess.ts on them.
    const scores = refRaw.map((q) => dequantizeOutput(model, q));
    expect(cScores).toEqual(scores);
    const tsDetections = postProcess(scores, keywords, continuous, continuous.strideMs, 1000);
    expect(cDetections).toEqual(tsDetections);

    // 3. Against the all-TS pipeline (TS MFCC): the C MFCC is close, not bit-exact, so a few windows
    //    may quantize differently; measured, and bounded.
    let rawMismatches = 0;
    let featureMismatches = 0;
    const tsPipelineScores: Float32Array[] = [];
    for (let k = 0, start = 0; start + WINDOW <= stream.values.length; k++, start += strideLen) {
      const q = quantizeInput(model, features(stream.values.slice(start, start + WINDOW)));
      const cq = quantizeInput(model, cFeatures[k]!);
      featureMismatches += q.reduce((m, v, j) => m + (v !== cq[j] ? 1 : 0), 0);
      const out = runInt8(model, q);
      tsPipelineScores.push(dequantizeOutput(model, out));
      if (out.some((v, j) => v !== cRaw[k]![j])) rawMismatches++;
    }
    const allTs = postProcess(tsPipelineScores, keywords, continuous, continuous.strideMs, 1000);
    console.log(`continuous: ${windows} windows, ${cDetections.length} detections (${tsDetections.map((d) => `${d.index}:${LABELS[d.label]}`).join(' ')}); ` +
      `TS-MFCC pipeline: ${featureMismatches} of ${windows * rows * cols} quantized features and ${rawMismatches} windows' outputs differ; its detections ${JSON.stringify(allTs) === JSON.stringify(tsDetections) ? 'are the same' : 'differ'}`);
    expect(rawMismatches).toBeLessThanOrEqual(Math.ceil(windows * 0.05));
    // The stream must exercise the post-processing: several detections of both keywords.
    expect(new Set(tsDetections.map((d) => d.label))).toEqual(new Set(keywords));
    // Averaging and suppression matter here: without them the same scores give other detections.
    const plain = postProcess(scores, keywords, { averageWindowMs: 250, detectionThreshold: 0.6, suppressionMs: 0 }, continuous.strideMs, 1000);
    expect(plain).not.toEqual(tsDetections);

  }, 240_000);
});

describe('continuous params', () => {
  it('the target fills defaults; a stride that does not divide the window is a PARAMS_INVALID error', async () => {
    const { default: target } = await import('./index.js');
    const parsed = target.params.parse({ continuous: { detectionThreshold: 0.65 } }) as { continuous?: ContinuousOptions };
    expect(parsed.continuous).toEqual({ strideMs: 250, averageWindowMs: 250, detectionThreshold: 0.65, suppressionMs: 1000 });
    expect(target.params.safeParse({ continuous: { strideMs: 250, averge: 2 } }).success).toBe(false);
    const labels = ['_silence_', 'no', 'yes'];
    expect(continuousLayout({ ...DEFAULT_CONTINUOUS }, labels, 16000, 1, 16000)).toEqual({ sliceSize: 4000, slicesPerWindow: 4, windowMs: 1000, averageWindows: 1, keywords: [1, 2] });
    let error: unknown;
    try {
      continuousLayout({ ...DEFAULT_CONTINUOUS, strideMs: 300 }, labels, 16000, 1, 16000);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TinyforgeError);
    expect((error as TinyforgeError).code).toBe('PARAMS_INVALID');
    expect(() => continuousLayout({ ...DEFAULT_CONTINUOUS, keywords: ['maybe'] }, labels, 16000, 1, 16000)).toThrow(/not a label/);
  });
});

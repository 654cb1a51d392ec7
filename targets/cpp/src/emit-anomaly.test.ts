import { execFile, spawn } from 'node:child_process';
import { mkdtemp, open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isTinyforgeError, type Sample } from '@tinyforge/sdk';
import { anomalyScore, fitAnomaly, mapFeatures, type AnomalyModel } from '@tinyforge/blocks/learn/anomaly/model';
import { componentLogConstant, mahalanobisSquared } from '@tinyforge/blocks/learn/anomaly/gmm';
import { anomalyParams } from '@tinyforge/blocks/learn/anomaly/params';
import { Rng } from '@tinyforge/blocks/learn/nn/rng';
import { loadVibrationFeatures, vibrationAvailable } from '@tinyforge/blocks/learn/testing/vibration-fixture';
import { cortexMAvailable } from '../../../test/support/cortex-m4.js';
import { buildHost, runBinary, writeFiles } from './build/host-build.js';
import { cArrayBody, cFloat } from './c-format.js';
import { CORES } from './device/cortex-m.js';
import { emitAnomalyC, type AnomalyEmission } from './emit-anomaly.js';

const run = promisify(execFile);
const have = (cc: string): Promise<boolean> => run(cc, ['--version']).then(() => true, () => false);

async function toolchain(cc: string): Promise<boolean> {
  if (await have(cc)) return true;
  if (process.env['CI'] === 'true') throw new Error(`CI=true but ${cc} is not installed`);
  console.log(`skipping anomaly C tests needing ${cc}: not installed`);
  return false;
}
const haveHost = (await toolchain('gcc')) && (await toolchain('g++'));

/**
 * Float32 evaluation vs the float64 reference. A score is a difference of larger terms (K-means:
 * distance − radius; GMM: constant − ½·Mahalanobis), so float32 rounding is relative to those
 * terms, not to the score: |C − TS| ≤ ATOL + RTOL·magnitude (see `magnitude`). RTOL is ~17 float32
 * ulps; a wrong formula is off by far more. Measured numbers are printed.
 */
const ATOL = 1e-5;
const RTOL = 2e-6;

/** The size of the terms the score is the difference of, for the vector's winning cluster/component. */
function magnitude(model: AnomalyModel, values: ArrayLike<number>): number {
  const d = model.axes.length;
  const z = mapFeatures(model, values, new Float64Array(d));
  const dist = (a: ArrayLike<number>): number[] => Array.from({ length: d }, (_, k) => z[k]! - a[k]!);
  if (model.format === 'tinyforge-anomaly-kmeans') {
    let best = Infinity;
    let mag = 0;
    for (const c of model.clusters) {
      const r = Math.hypot(...dist(c.center));
      if (r - c.maxError < best) [best, mag] = [r - c.maxError, r + c.maxError];
    }
    return mag;
  }
  let best = -Infinity;
  let mag = 0;
  const scratch = new Float64Array(d);
  for (const c of model.components) {
    const maha = mahalanobisSquared(c, z, scratch);
    const constant = componentLogConstant(c);
    if (constant - 0.5 * maha > best) [best, mag] = [constant - 0.5 * maha, Math.abs(constant + model.offset) + 0.5 * maha];
  }
  return mag;
}

/** Reads n vectors of `width` floats from stdin, writes one float32 score each. Valid C99 and C++11. */
const HARNESS = `#include <stdio.h>
#include <stdlib.h>
#include "tf_anomaly.h"
int main(void) {
  unsigned int n = 0, width = 0, i;
  float *row;
  if (fread(&n, 4, 1, stdin) != 1 || fread(&width, 4, 1, stdin) != 1) return 2;
  if (width < TF_ANOMALY_INPUT_FEATURES) return 3;
  row = (float *)malloc(width * sizeof(float));
  if (!row) return 4;
  for (i = 0; i < n; i++) {
    float score;
    if (fread(row, sizeof(float), width, stdin) != width) return 5;
    score = tf_anomaly_score(row);
    fwrite(&score, sizeof(float), 1, stdout);
  }
  free(row);
  return 0;
}
`;

const STRICT = ['-Wall', '-Wextra', '-Werror', '-pedantic', '-Wdouble-promotion'];

/** Builds the emitted scorer twice (as C99 with gcc, as C++11 with the target's host-build flags) and scores `vectors` with both. */
async function scoreInC(em: AnomalyEmission, vectors: Float32Array[]): Promise<{ c: Float32Array; cxx: Float32Array }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tf-anomaly-'));
  await writeFiles(dir, new Map([['tf_anomaly.h', em.header], ['tf_anomaly.c', em.source], ['tf_anomaly.cpp', em.source], ['harness.c', HARNESS], ['harness.cpp', HARNESS]]));
  const cExe = path.join(dir, 'score-c');
  await run('gcc', ['-std=c99', '-O2', ...STRICT, `-I${dir}`, path.join(dir, 'tf_anomaly.c'), path.join(dir, 'harness.c'), '-o', cExe, '-lm']);
  const cxxExe = await buildHost(dir, new Map([['tf_anomaly.cpp', em.source]]), { extraSources: ['harness.cpp'], optimize: '-O2', output: 'score-cxx' });
  const width = vectors[0]!.length;
  const stdin = new Uint8Array(8 + vectors.length * width * 4);
  const view = new DataView(stdin.buffer);
  view.setUint32(0, vectors.length, true);
  view.setUint32(4, width, true);
  vectors.forEach((v, i) => stdin.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), 8 + i * width * 4));
  const scores = async (exe: string): Promise<Float32Array> => {
    const out = await runBinary(exe, [], stdin);
    expect(out.length).toBe(vectors.length * 4);
    return new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.length));
  };
  return { c: await scores(cExe), cxx: await scores(cxxExe) };
}

interface Agreement {
  maxAbs: number;
  /** Largest |C − TS| among scores within 1 of the threshold (where decisions are made). */
  maxAbsNear: number;
  /** Largest |C − TS| / magnitude. */
  maxRel: number;
  /** Vectors over ATOL + RTOL·magnitude, as text. */
  over: string[];
  /** Different isAnomaly decisions with the reference further than the tolerance from the threshold. */
  flips: string[];
  /** Vectors within the tolerance of the threshold (decision may differ there). */
  nearThreshold: number;
  /** All different isAnomaly decisions (the ones near the threshold included). */
  decisionDiffs: number;
  anomalies: number;
}

function compare(model: AnomalyModel, vectors: Float32Array[], got: Float32Array): Agreement {
  const threshold = Math.fround(model.threshold);
  const a: Agreement = { maxAbs: 0, maxAbsNear: 0, maxRel: 0, over: [], flips: [], nearThreshold: 0, decisionDiffs: 0, anomalies: 0 };
  vectors.forEach((v, i) => {
    const want = anomalyScore(model, v);
    const g = got[i]!;
    if (Number.isNaN(want) || Number.isNaN(g)) {
      if (Number.isNaN(want) !== Number.isNaN(g)) a.over.push(`#${i}: TS ${want}, C ${g}`);
      return;
    }
    const err = Math.abs(g - want);
    const mag = magnitude(model, v);
    const tol = ATOL + RTOL * mag;
    a.maxAbs = Math.max(a.maxAbs, err);
    if (Math.abs(want - threshold) <= 1) a.maxAbsNear = Math.max(a.maxAbsNear, err);
    a.maxRel = Math.max(a.maxRel, err / Math.max(mag, 1e-30));
    if (!(err <= tol)) a.over.push(`#${i}: TS ${want}, C ${g} (|Δ| ${err.toExponential(2)} > ${tol.toExponential(2)}, magnitude ${mag.toExponential(2)})`);
    if (want > threshold) a.anomalies++;
    if (want > threshold !== g > threshold) a.decisionDiffs++;
    if (Math.abs(want - threshold) <= tol) a.nearThreshold++;
    else if (want > threshold !== g > threshold) a.flips.push(`#${i}: TS ${want}, C ${g}, threshold ${threshold}`);
  });
  return a;
}

/** Scores vectors in C (C99 and C++11 builds), asserts agreement with anomalyScore, returns the C99 build's numbers. */
async function expectAgreement(name: string, model: AnomalyModel, vectors: Float32Array[]): Promise<Agreement> {
  const em = emitAnomalyC(model);
  expect(em.header).toMatch(/#define TF_ANOMALY_THRESHOLD \S+f\n/);
  expect(Math.fround(Number.parseFloat(/#define TF_ANOMALY_THRESHOLD (\S+)f/.exec(em.header)![1]!))).toBe(Math.fround(model.threshold));
  const { c, cxx } = await scoreInC(em, vectors);
  // Same source, same float ops: the two builds agree bit for bit (NaN aside).
  for (let i = 0; i < c.length; i++) if (!(Number.isNaN(c[i]!) && Number.isNaN(cxx[i]!))) expect(cxx[i], `${name} vector ${i}: C++ vs C`).toBe(c[i]);
  return reportAgreement(name, model, vectors, c);
}

function reportAgreement(name: string, model: AnomalyModel, vectors: Float32Array[], got: Float32Array): Agreement {
  const a = compare(model, vectors, got);
  console.log(
    `${name}: ${vectors.length} vectors, ${a.anomalies} anomalous; C float32 vs TS float64: max |Δ| ${a.maxAbs.toExponential(2)} (${a.maxAbsNear.toExponential(2)} within 1 of the threshold), max |Δ|/magnitude ${a.maxRel.toExponential(2)}; ${a.nearThreshold} within tolerance of the threshold, ${a.decisionDiffs} isAnomaly decisions differ`,
  );
  expect(a.over, `${name}: scores beyond ${ATOL} + ${RTOL}·magnitude`).toEqual([]);
  expect(a.flips, `${name}: isAnomaly differs away from the threshold`).toEqual([]);
  return a;
}

/** Checks that cross-compiled objects only need float libm (no double soft-float, no other libc). */
const ALLOWED_UNDEFINED = new Set(['sqrtf', 'log10f', 'logf', 'expf']);

// ── Synthetic data: always runs (given a host compiler). ──

const WIDTH = 7;
/** Three blobs; features 2 and 5 positive and spanning decades (log axes), feature 6 unused by most models. */
function syntheticSet(n: number, rng: Rng, shift = 0): Float32Array[] {
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const centers = [[0, 0, 1, 5, 0.1], [4, -2, 3, 5, 1], [-3, 5, 0, -2, 10]];
  return Array.from({ length: n }, () => {
    const c = centers[rng.int(centers.length)]!;
    const v = new Float32Array(WIDTH);
    v[0] = c[0]! + gauss() + shift;
    v[1] = c[1]! + 0.5 * gauss() - shift;
    v[2] = 10 ** (c[2]! + 0.3 * gauss() + shift / 4);
    v[3] = c[3]! + 2 * gauss();
    v[4] = 0.3 * v[0]! + 0.2 * gauss();
    v[5] = c[4]! * Math.exp(0.5 * gauss());
    v[6] = 100 + 10 * gauss();
    return v;
  });
}

function syntheticVectors(train: Float32Array[], rng: Rng): Float32Array[] {
  const edge = (patch: Record<number, number>): Float32Array => {
    const v = Float32Array.from(train[0]!);
    for (const [k, x] of Object.entries(patch)) v[Number(k)] = x;
    return v;
  };
  return [
    ...train, // includes the sample that sets the GMM offset (score 0 = threshold)
    ...syntheticSet(150, rng),
    ...syntheticSet(100, rng, 3), // shifted: mostly anomalous
    ...syntheticSet(30, rng, 0.7), // near the boundary
    edge({ 2: 0 }), // log axis floor (log10(1e-30))
    edge({ 2: -5, 5: 0 }),
    edge({ 0: 1e5, 3: -1e5 }), // far out, still in float range when squared
    edge({ 1: Number.NaN }),
  ];
}

const params = (raw: object) => anomalyParams.parse(raw);

describe.skipIf(!haveHost)('tf_anomaly_score (host gcc/g++) equals anomalyScore on synthetic data', () => {
  const rng = new Rng(7);
  const train = syntheticSet(300, rng);
  const vectors = syntheticVectors(train, rng);

  it('K-means v2 with log axes (8 clusters, axes 0 1 2 4 5)', async () => {
    const model = fitAnomaly(train, params({ axes: [0, 1, 2, 4, 5], logAxes: [2, 5], clusters: 8 }), null);
    expect(model.format).toBe('tinyforge-anomaly-kmeans');
    const a = await expectAgreement('synthetic K-means v2', model, vectors);
    expect(a.anomalies).toBeGreaterThan(50); // the shifted set is scored as anomalous, not all-normal
  });

  it('K-means v1 (no log field, unstandardized, every axis)', async () => {
    const fitted = fitAnomaly(train, params({ standardize: false, clusters: 4 }), null);
    const { log: _log, ...rest } = fitted;
    const v1 = { ...rest, version: 1 } as AnomalyModel;
    expect(v1).not.toHaveProperty('log');
    await expectAgreement('synthetic K-means v1', v1, vectors);
  });

  it('GMM with a log axis (3 components, 5 axes; threshold 0 = the largest train −log-likelihood)', async () => {
    const model = fitAnomaly(train, params({ method: 'gmm', components: 3, axes: [0, 1, 2, 3, 5], logAxes: [2] }), null);
    expect(model.format).toBe('tinyforge-anomaly-gmm');
    const a = await expectAgreement('synthetic GMM', model, vectors);
    expect(a.anomalies).toBeGreaterThan(50);
  });

  it('GMM, one component on one axis with a custom threshold', async () => {
    const model = fitAnomaly(train, params({ method: 'gmm', components: 1, axes: [6], threshold: 2.5 }), null);
    await expectAgreement('synthetic GMM 1×1', model, vectors);
  });

  it('rejects an unknown format and inconsistent tables with TinyforgeError', () => {
    const model = fitAnomaly(train, params({ clusters: 2 }), null);
    const attempt = (m: unknown): unknown => {
      try {
        emitAnomalyC(m as AnomalyModel);
      } catch (e) {
        return e;
      }
      return null;
    };
    for (const broken of [
      { ...model, format: 'tinyforge-anomaly-svm' },
      { ...model, version: 3 },
      { ...model, mean: model.mean.slice(1) },
      { ...model, clusters: [] },
      { ...model, threshold: Number.NaN },
    ]) {
      const e = attempt(broken);
      expect(isTinyforgeError(e), JSON.stringify(Object.keys(broken))).toBe(true);
    }
  });
});

// ── Cross compiler: the emitted file is freestanding float code. ──

const haveArm = await toolchain('arm-none-eabi-gcc');
describe.skipIf(!haveArm)('emitted anomaly C for Cortex-M4 (arm-none-eabi-gcc -mfpu=fpv4-sp-d16 -mfloat-abi=hard -Os)', () => {
  it('compiles as C99 and C++11 without warnings and needs only sqrtf/log10f/logf/expf (no double soft-float)', async () => {
    const rng = new Rng(3);
    const train = syntheticSet(200, rng);
    const models: [string, AnomalyModel][] = [
      ['kmeans', fitAnomaly(train, params({ axes: [0, 1, 2, 4, 5], logAxes: [2, 5], clusters: 8 }), null)],
      ['gmm', fitAnomaly(train, params({ method: 'gmm', components: 3, axes: [0, 1, 2, 3, 5], logAxes: [2] }), null)],
    ];
    const m4 = ['-mcpu=cortex-m4', '-mthumb', '-mfpu=fpv4-sp-d16', '-mfloat-abi=hard', '-Os', ...STRICT];
    const haveArmCxx = await toolchain('arm-none-eabi-g++');
    for (const [name, model] of models) {
      const dir = await mkdtemp(path.join(tmpdir(), `tf-anomaly-m4-${name}-`));
      const em = emitAnomalyC(model);
      await writeFiles(dir, new Map([['tf_anomaly.h', em.header], ['tf_anomaly.c', em.source], ['tf_anomaly.cpp', em.source]]));
      const builds: [string, string[], string][] = [['arm-none-eabi-gcc', ['-std=c99'], 'tf_anomaly.c']];
      if (haveArmCxx) builds.push(['arm-none-eabi-g++', ['-std=c++11', '-fno-exceptions', '-fno-rtti'], 'tf_anomaly.cpp']);
      for (const [cc, std, src] of builds) {
        const obj = path.join(dir, `${src}.o`);
        await run(cc, [...std, ...m4, `-I${dir}`, '-c', path.join(dir, src), '-o', obj]);
        const { stdout } = await run('arm-none-eabi-nm', ['-u', obj]);
        const undefinedSymbols = stdout.split('\n').map((l) => l.trim().split(/\s+/).pop()!).filter(Boolean);
        expect(undefinedSymbols.filter((s) => !ALLOWED_UNDEFINED.has(s)), `${cc} ${name}: unexpected external symbols`).toEqual([]);
        expect(undefinedSymbols).toContain(name === 'gmm' ? 'expf' : 'sqrtf');
        const { stdout: size } = await run('arm-none-eabi-size', [obj]);
        console.log(`${cc} ${name} (${model.axes.length} axes): ${size.trim().split('\n')[1]?.trim().split(/\s+/).slice(0, 3).join(' ')} (text data bss); externals ${undefinedSymbols.join(' ')}`);
      }
    }
  });
});

// ── Real features: vibration-fan-imbalance through the real blocks (skips without /work/shared). ──

/** Per-axis spectral-analysis layout (FFT 16): 13 values per axis; RMS, skewness, kurtosis are 0, 1, 2. */
const perAxis = (offsets: number[]): number[] => [0, 1, 2].flatMap((axis) => offsets.map((o) => axis * 13 + o));

let vibration: { train: Float32Array[]; all: Float32Array[] } | null = null;
async function loadVibration(): Promise<{ train: Float32Array[]; all: Float32Array[] }> {
  if (vibration) return vibration;
  const samples: Sample[] = await loadVibrationFeatures();
  return (vibration = {
    train: samples.filter((s) => s.category === 'train' && s.label === 'balanced').map((s) => s.values),
    all: samples.map((s) => s.values),
  });
}
const vibrationModels = (train: Float32Array[]): [string, AnomalyModel][] => [
  ['K-means (EI defaults: 32 clusters, every feature)', fitAnomaly(train, params({}), null)],
  ['GMM (per-axis log RMS, skewness, kurtosis; 4 components)', fitAnomaly(train, params({ method: 'gmm', components: 4, axes: perAxis([0, 1, 2]), logAxes: perAxis([0]) }), null)],
];

describe.skipIf(!haveHost || !vibrationAvailable())('tf_anomaly_score (host gcc/g++) equals anomalyScore on vibration-fan-imbalance features', () => {
  it('K-means (EI defaults) and GMM, every window (train and test, balanced and unbalanced)', { timeout: 120_000 }, async () => {
    const { train, all } = await loadVibration();
    for (const [name, model] of vibrationModels(train)) {
      if (model.format === 'tinyforge-anomaly-kmeans') expect(model.axes.length).toBe(all[0]!.length);
      const a = await expectAgreement(`vibration ${name}`, model, all);
      expect(a.anomalies).toBeGreaterThan(0);
    }
  });
});

// ── On the target: Cortex-M4 (hard float, newlib libm) under QEMU. ──

const DEVICE_DIR = new URL('../runtime/device/', import.meta.url);

/** Cross-compiles the scorer with the vectors baked in, runs it on QEMU mps2-an386 and reads the float bits it prints. */
async function scoreOnCortexM4(em: AnomalyEmission, vectors: Float32Array[]): Promise<Float32Array> {
  const target = CORES['cortex-m4'];
  const dir = await mkdtemp(path.join(tmpdir(), 'tf-anomaly-qemu-'));
  const width = vectors[0]!.length;
  const main = `#include <math.h>
#include <stdio.h>
#include <string.h>
#include "tf_anomaly.h"
static const float tf_vectors[${vectors.length}][${width}] = {
${vectors.map((v) => `  {\n${cArrayBody(Array.from(v, cFloat), 8, '    ')}\n  },`).join('\n')}
};
int main(void) {
  unsigned i;
  for (i = 0; i < ${vectors.length}u; i++) {
    const float score = tf_anomaly_score(tf_vectors[i]);
    unsigned long bits;
    unsigned int raw;
    memcpy(&raw, &score, sizeof raw);
    bits = raw;
    printf("score %08lx\\n", bits);
  }
  return 0;
}
`;
  const ld = (await readFile(new URL('link.ld.in', DEVICE_DIR), 'utf8')).replace('@FLASH@', target.flash).replace('@RAM@', target.ram).replace('@RAMLEN@', target.ramLength);
  await writeFiles(dir, new Map([['tf_anomaly.h', em.header], ['tf_anomaly.c', em.source], ['main.c', main], ['link.ld', ld]]));
  const cflags = [...target.cflags, '-Os', '-std=c99', '-ffunction-sections', '-fdata-sections', `-I${dir}`];
  const objects: string[] = [];
  for (const [src, extra] of [[path.join(dir, 'tf_anomaly.c'), STRICT], [path.join(dir, 'main.c'), []], [new URL('startup.c', DEVICE_DIR).pathname, []]] as const) {
    const obj = path.join(dir, `${path.basename(src)}.o`);
    await run('arm-none-eabi-gcc', [...cflags, ...extra, '-c', src, '-o', obj], { maxBuffer: 1 << 24 });
    objects.push(obj);
  }
  const elf = path.join(dir, 'anomaly.elf');
  await run('arm-none-eabi-gcc', [...target.cflags, '-nostartfiles', '--specs=nano.specs', '--specs=rdimon.specs', '-T', path.join(dir, 'link.ld'), '-Wl,--gc-sections', ...objects, '-lm', '-o', elf], { maxBuffer: 1 << 24 });
  // stdout to a file, not a pipe: QEMU's stdio chardev drops output when a pipe is full.
  const outFile = path.join(dir, 'stdout.txt');
  const out = await open(outFile, 'w');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('qemu-system-arm', ['-M', target.machine!, '-nographic', '-semihosting-config', 'enable=on,target=native', '-kernel', elf], { stdio: ['ignore', out.fd, 'inherit'], timeout: 120_000 });
      child.on('error', reject);
      child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`qemu-system-arm exited with ${code ?? signal}`))));
    });
  } finally {
    await out.close();
  }
  const stdout = await readFile(outFile, 'utf8');
  const bits = [...stdout.matchAll(/^score ([0-9a-f]{8})$/gm)].map((m) => Number.parseInt(m[1]!, 16));
  expect(bits.length, stdout.slice(-500)).toBe(vectors.length);
  return new Float32Array(Uint32Array.from(bits).buffer);
}

const haveM4 = await cortexMAvailable();
describe.skipIf(!haveM4)('tf_anomaly_score on Cortex-M4 under QEMU equals anomalyScore', () => {
  it('synthetic K-means v2 and GMM (log axes, log floor, far outliers, NaN)', { timeout: 120_000 }, async () => {
    const rng = new Rng(7);
    const train = syntheticSet(300, rng);
    const vectors = syntheticVectors(train, rng);
    for (const [name, model] of [
      ['K-means v2', fitAnomaly(train, params({ axes: [0, 1, 2, 4, 5], logAxes: [2, 5], clusters: 8 }), null)],
      ['GMM', fitAnomaly(train, params({ method: 'gmm', components: 3, axes: [0, 1, 2, 3, 5], logAxes: [2] }), null)],
    ] as const) {
      reportAgreement(`Cortex-M4 synthetic ${name}`, model, vectors, await scoreOnCortexM4(emitAnomalyC(model), vectors));
    }
  });

  it.skipIf(!vibrationAvailable())('vibration-fan-imbalance K-means and GMM, every window', { timeout: 180_000 }, async () => {
    const { train, all } = await loadVibration();
    for (const [name, model] of vibrationModels(train)) reportAgreement(`Cortex-M4 vibration ${name}`, model, all, await scoreOnCortexM4(emitAnomalyC(model), all));
  });
});

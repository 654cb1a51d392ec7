import type { JsonObject } from '@tinyforge/sdk';
import { dequantizeOutput, goldenVectors, quantizeInput, runFloat, runInt8 } from '../ir/interpreter.js';
import { lowerToFloatIr } from '../ir/lower.js';
import type { IrModel } from '../ir/model.js';
import { quantizeModel } from '../ir/quantize.js';
import { classificationMetrics, type ClassificationMetrics } from '../metrics.js';
import { buildNetwork } from '../nn/network.js';
import { resolveTrainer, trainNetwork, type ModuleImporter } from '../nn/trainer.js';
import { Rng } from '../nn/rng.js';
import type { LayerSpec } from '../nn/spec.js';
import { balancedClassWeights, splitValidation, type EpochLog, type TrainResult } from '../nn/train.js';
import { resolveLayers, type ClassifierParams } from './params.js';

export { resolveLayers };

export type { FeatureRow } from '../rows.js';

export interface SplitMetrics {
  validation: ClassificationMetrics | null;
  test: ClassificationMetrics;
}

export interface ClassifierResult {
  labels: string[];
  inputShape: number[];
  layers: LayerSpec[];
  float: IrModel;
  int8: IrModel | null;
  training: TrainResult;
  metrics: { float32: SplitMetrics; int8: SplitMetrics | null };
  counts: { train: number; validation: number; test: number };
  /** Int8 test vectors (first test samples) for bit-exact target checks. */
  golden: ReturnType<typeof goldenVectors> | null;
}

export interface ClassifierHooks {
  onEpoch?: (log: EpochLog, epochs: number) => void;
  info?: (message: string) => void;
  /** Loads optional modules (@tensorflow/tfjs-node); tests swap it. */
  importModule?: ModuleImporter;
}

import { bad, checkRows, toMatrix, type FeatureRow } from '../rows.js';

/** Trains, lowers, quantizes and evaluates a classifier. Pure: no files, no clocks in the results. */
export async function trainClassifier(rows: readonly FeatureRow[], p: ClassifierParams, dsp: unknown, hooks: ClassifierHooks = {}): Promise<ClassifierResult> {
  const shape = checkRows(rows);
  const size = rows[0]!.values.length;
  const trainRows = rows.filter((r) => r.category === 'train');
  const testRows = rows.filter((r) => r.category === 'test');
  const labels = [...new Set(trainRows.map((r) => r.label!))].sort();
  if (labels.length < 2) throw bad(`a classifier needs at least 2 classes in train, found ${labels.length} (${labels.join(', ') || 'none'})`);
  const unknown = [...new Set(testRows.map((r) => r.label!).filter((l) => !labels.includes(l)))];
  if (unknown.length > 0) throw bad(`test labels ${unknown.join(', ')} have no training samples`);
  const classOf = (r: FeatureRow): number => labels.indexOf(r.label!);

  const allTrainLabels = Int32Array.from(trainRows, classOf);
  const grouped = trainRows.some((r) => r.group != null);
  const split = splitValidation(allTrainLabels, p.validationSplit, p.seed, grouped ? trainRows.map((r) => r.group ?? null) : undefined);
  const fitRows = split.train.map((i) => trainRows[i]!);
  const valRows = split.val.map((i) => trainRows[i]!);
  if (fitRows.length === 0) throw bad('the validation split left no samples to train on', 'lower validationSplit');
  hooks.info?.(`classes ${labels.join(', ')}; train ${fitRows.length}, validation ${valRows.length}, test ${testRows.length}; input ${shape.join('×')}`);

  const layers = resolveLayers(p, shape);
  const net = buildNetwork(layers, shape, labels.length, new Rng(p.seed));
  if (net.outputShape.length !== 1 || net.outputShape[0] !== labels.length)
    throw bad(`the network outputs [${net.outputShape.join(', ')}] but there are ${labels.length} classes`, 'end the layers with { type: dense, activation: softmax } and no units');
  if (net.layers[net.layers.length - 1]?.kind !== 'softmax') throw bad('a classifier network must end in softmax');

  const fitLabels = Int32Array.from(fitRows, classOf);
  let classWeights: Float64Array | undefined;
  if (p.classWeights === 'auto') classWeights = balancedClassWeights(fitLabels, labels.length);
  else if (typeof p.classWeights === 'object') {
    const given = p.classWeights;
    const extra = Object.keys(given).filter((k) => !labels.includes(k));
    if (extra.length > 0) throw bad(`classWeights names unknown classes: ${extra.join(', ')}`);
    classWeights = Float64Array.from(labels, (l) => given[l] ?? 1);
  }
  const task = { kind: 'classification' as const, numClasses: labels.length, ...(classWeights ? { classWeights } : {}) };
  const trainer = await resolveTrainer(p.trainer, hooks.importModule);
  hooks.info?.(trainer.note);
  const training = await trainNetwork(
    trainer,
    net,
    layers,
    { x: toMatrix(fitRows, size), n: fitRows.length, labels: fitLabels },
    valRows.length > 0 ? { x: toMatrix(valRows, size), n: valRows.length, labels: Int32Array.from(valRows, classOf) } : null,
    task,
    p,
    (log) => hooks.onEpoch?.(log, p.epochs),
  );

  const float = lowerToFloatIr(net, { task: 'classification', labels, dsp });
  // Representative data: a seeded sample of the training rows.
  const reps = new Rng(p.seed).fork(5).shuffle(fitRows.slice()).slice(0, p.representativeSamples).map((r) => r.values);
  const int8 = p.quantize ? quantizeModel(float, reps) : null;

  const evaluate = (model: IrModel, set: readonly FeatureRow[]): ClassificationMetrics => {
    const probs = new Float64Array(set.length * labels.length);
    set.forEach((r, i) => {
      const y = model.ir.precision === 'int8' ? dequantizeOutput(model, runInt8(model, quantizeInput(model, r.values))) : runFloat(model, r.values);
      probs.set(y, i * labels.length);
    });
    return classificationMetrics(probs, Int32Array.from(set, classOf), labels);
  };
  const splitMetrics = (model: IrModel): SplitMetrics => ({ validation: valRows.length > 0 ? evaluate(model, valRows) : null, test: evaluate(model, testRows) });
  return {
    labels,
    inputShape: shape,
    layers,
    float,
    int8,
    training,
    metrics: { float32: splitMetrics(float), int8: int8 ? splitMetrics(int8) : null },
    counts: { train: fitRows.length, validation: valRows.length, test: testRows.length },
    golden: int8 ? goldenVectors(int8, testRows.slice(0, 8).map((r) => r.values)) : null,
  };
}

export function resultSummary(r: ClassifierResult): JsonObject {
  const pct = (v: number | undefined): number | null => (v === undefined ? null : Math.round(v * 10000) / 100);
  return {
    labels: r.labels,
    inputShape: r.inputShape,
    counts: r.counts,
    epochs: r.training.curves.length,
    bestEpoch: r.training.bestEpoch,
    testAccuracyFloat32: pct(r.metrics.float32.test.accuracy),
    testAccuracyInt8: pct(r.metrics.int8?.test.accuracy),
  };
}

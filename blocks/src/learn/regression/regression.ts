import { z } from 'zod';
import type { ParamProblem } from '@tinyforge/sdk';
import { dequantizeOutput, goldenVectors, quantizeInput, runFloat, runInt8 } from '../ir/interpreter.js';
import { lowerToFloatIr } from '../ir/lower.js';
import type { IrModel } from '../ir/model.js';
import { quantizeModel } from '../ir/quantize.js';
import { declaredInputProblems } from '../nn/fit-check.js';
import { buildNetwork } from '../nn/network.js';
import { resolveTrainer, trainNetwork, type ModuleImporter } from '../nn/trainer.js';
import { Rng } from '../nn/rng.js';
import { layersSchema, parseLayers, type LayerSpec } from '../nn/spec.js';
import { splitValidation, trainingSchema, type EpochLog, type TrainResult } from '../nn/train.js';
import { bad, checkRows, toMatrix, type FeatureRow } from '../rows.js';

export const regressionParams = z.object({
  /** Keras-like layers ending in a linear dense layer (units omitted = 1). Default: EI's 20-10-1 MLP. */
  layers: layersSchema.optional(),
  ...trainingSchema.omit({ classWeights: true }).shape,
  loss: z.enum(['mse', 'mae']).default('mse'),
  quantize: z.boolean().default(true),
  representativeSamples: z.number().int().min(1).max(100_000).default(500),
});
export type RegressionParams = z.output<typeof regressionParams>;

export function checkRegressionParams(p: RegressionParams): ParamProblem[] {
  const problems: ParamProblem[] = [];
  const last = p.layers?.[p.layers.length - 1];
  if (last && !(last.type === 'dense' && last.activation === 'linear'))
    problems.push({ path: `layers[${p.layers!.length - 1}]`, message: 'a regression network must end in a dense layer with linear activation' });
  if (p.earlyStopping?.monitor === 'val_accuracy') problems.push({ path: 'earlyStopping.monitor', message: 'regression has no accuracy; monitor val_loss' });
  problems.push(...declaredInputProblems(p.layers, 1));
  return problems;
}

export const DEFAULT_LAYERS = [
  { type: 'flatten' as const },
  { type: 'dense' as const, units: 20, activation: 'relu' as const },
  { type: 'dense' as const, units: 10, activation: 'relu' as const },
  { type: 'dense' as const },
];

export interface RegressionMetrics {
  samples: number;
  mse: number;
  mae: number;
  rmse: number;
  /** Coefficient of determination (1 is perfect; 0 is predicting the mean). */
  r2: number;
}

export function regressionMetrics(pred: ArrayLike<number>, truth: ArrayLike<number>): RegressionMetrics {
  const n = truth.length;
  let se = 0;
  let ae = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i]! / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i]! - truth[i]!;
    se += d * d;
    ae += Math.abs(d);
    ss += (truth[i]! - mean) ** 2;
  }
  return { samples: n, mse: se / n, mae: ae / n, rmse: Math.sqrt(se / n), r2: ss > 0 ? 1 - se / ss : 0 };
}

export interface RegressionResult {
  inputShape: number[];
  layers: LayerSpec[];
  float: IrModel;
  int8: IrModel | null;
  training: TrainResult;
  metrics: { float32: { validation: RegressionMetrics | null; test: RegressionMetrics }; int8: { validation: RegressionMetrics | null; test: RegressionMetrics } | null };
  counts: { train: number; validation: number; test: number };
  golden: ReturnType<typeof goldenVectors> | null;
}

/** Labels are the numeric targets (EI regression: the label is the value). */
function targetOf(r: FeatureRow): number {
  const v = Number(r.label);
  if (r.label === null || r.label.trim() === '' || !Number.isFinite(v)) throw bad(`sample ${r.id} has label ${JSON.stringify(r.label)}, which is not a number; regression labels are the target values`);
  return v;
}

export async function trainRegression(rows: readonly FeatureRow[], p: RegressionParams, dsp: unknown, hooks: { onEpoch?: (log: EpochLog, epochs: number) => void; info?: (m: string) => void; importModule?: ModuleImporter } = {}): Promise<RegressionResult> {
  const shape = checkRows(rows);
  const size = rows[0]!.values.length;
  const trainRows = rows.filter((r) => r.category === 'train');
  const testRows = rows.filter((r) => r.category === 'test');
  const targets = Float64Array.from(trainRows, targetOf);
  testRows.forEach(targetOf);
  // Stratify on target deciles so validation spans the range.
  const order = Array.from(targets, (_, i) => i).sort((a, b) => targets[a]! - targets[b]! || a - b);
  const decile = new Int32Array(targets.length);
  order.forEach((row, rank) => (decile[row] = Math.min(9, Math.floor((rank / order.length) * 10))));
  const grouped = trainRows.some((r) => r.group != null);
  const split = splitValidation(decile, p.validationSplit, p.seed, grouped ? trainRows.map((r) => r.group ?? null) : undefined);
  const fit = split.train.map((i) => trainRows[i]!);
  const val = split.val.map((i) => trainRows[i]!);
  hooks.info?.(`regression: train ${fit.length}, validation ${val.length}, test ${testRows.length}; input ${shape.join('×')}`);
  const layers = p.layers ?? parseLayers(DEFAULT_LAYERS);
  const net = buildNetwork(layers, shape, 1, new Rng(p.seed));
  if (net.outputShape.length !== 1 || net.outputShape[0] !== 1) throw bad(`the network outputs [${net.outputShape.join(', ')}]; regression needs one value`, 'end the layers with { type: dense } (units 1, linear)');
  const task = { kind: 'regression' as const, loss: p.loss };
  const trainer = await resolveTrainer(p.trainer, hooks.importModule);
  hooks.info?.(trainer.note);
  const training = await trainNetwork(
    trainer,
    net,
    layers,
    { x: toMatrix(fit, size), n: fit.length, targets: Float64Array.from(fit, targetOf) },
    val.length > 0 ? { x: toMatrix(val, size), n: val.length, targets: Float64Array.from(val, targetOf) } : null,
    task,
    { ...p, classWeights: 'none' },
    (log) => hooks.onEpoch?.(log, p.epochs),
  );
  const float = lowerToFloatIr(net, { task: 'regression', labels: [], dsp });
  const reps = new Rng(p.seed).fork(5).shuffle(fit.slice()).slice(0, p.representativeSamples).map((r) => r.values);
  const int8 = p.quantize ? quantizeModel(float, reps) : null;
  const evaluate = (model: IrModel, set: readonly FeatureRow[]): RegressionMetrics =>
    regressionMetrics(
      set.map((r) => (model.ir.precision === 'int8' ? dequantizeOutput(model, runInt8(model, quantizeInput(model, r.values)))[0]! : runFloat(model, r.values)[0]!)),
      set.map(targetOf),
    );
  const both = (model: IrModel) => ({ validation: val.length > 0 ? evaluate(model, val) : null, test: evaluate(model, testRows) });
  return {
    inputShape: shape,
    layers,
    float,
    int8,
    training,
    metrics: { float32: both(float), int8: int8 ? both(int8) : null },
    counts: { train: fit.length, validation: val.length, test: testRows.length },
    golden: int8 ? goldenVectors(int8, testRows.slice(0, 8).map((r) => r.values)) : null,
  };
}

import { z } from 'zod';
import type { Network } from './network.js';
import type { Param } from './layers.js';
import { Rng } from './rng.js';

export const earlyStoppingSchema = z.object({
  monitor: z.enum(['val_loss', 'val_accuracy']).default('val_loss'),
  patience: z.number().int().min(0).default(5),
  minDelta: z.number().min(0).default(0),
  restoreBestWeights: z.boolean().default(true),
});

/** Training settings (EI's names in comments). */
export const trainingSchema = z.object({
  /** trainingCycles */
  epochs: z.number().int().min(1).max(100_000).default(30),
  learningRate: z.number().positive().max(10).default(0.0005),
  batchSize: z.number().int().min(1).max(65_536).default(32),
  optimizer: z.enum(['adam', 'sgd', 'rmsprop']).default('adam'),
  /** Fraction of the train category held out for validation, stratified by class. */
  validationSplit: z.number().min(0).max(0.9).default(0.2),
  /**
   * Sample meta key whose values stay on one side of the split (EI's customValidationMetadataKey),
   * e.g. `group` (set by ingest's group split) to keep a speaker's clips together. Without it,
   * augmented copies (meta `augmentedFrom`) still stay with their source.
   */
  validationGroupKey: z.string().min(1).optional(),
  earlyStopping: earlyStoppingSchema.optional(),
  /** 'auto' = n / (classes · count_c), like sklearn's "balanced" (EI autoClassWeights). */
  classWeights: z.union([z.enum(['none', 'auto']), z.record(z.string(), z.number().positive())]).default('none'),
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  /**
   * Training backend: `auto` (the default when absent) uses @tensorflow/tfjs-node when it is
   * installed, else the tinyforge engine; `engine` or `tfjs-node` force one (see learn/README.md).
   */
  trainer: z.enum(['auto', 'engine', 'tfjs-node']).optional(),
});
export type TrainingSettings = z.output<typeof trainingSchema>;

export interface EpochLog {
  epoch: number;
  loss: number;
  acc: number;
  val_loss: number | null;
  val_acc: number | null;
  seconds: number;
}

/** Rows of `size` values in one batch-major array, with their class index (or target row). */
export interface Dataset {
  x: Float64Array;
  n: number;
  /** Classification: class index per row. */
  labels?: Int32Array;
  /** Regression: `targetSize` values per row. */
  targets?: Float64Array;
}

export type Task = { kind: 'classification'; numClasses: number; classWeights?: Float64Array } | { kind: 'regression'; loss: 'mse' | 'mae' };

interface OptimizerState {
  step(params: Param[], batchScale: number): void;
}

function makeOptimizer(kind: TrainingSettings['optimizer'], lr: number, params: Param[]): OptimizerState {
  const trainable = params.filter((p) => p.trainable);
  const m = trainable.map((p) => new Float64Array(p.value.length));
  const v = trainable.map((p) => new Float64Array(p.value.length));
  let t = 0;
  return {
    step(): void {
      t++;
      trainable.forEach((p, k) => {
        const w = p.value;
        const g = p.grad;
        const mk = m[k]!;
        const vk = v[k]!;
        if (kind === 'adam') {
          // Keras Adam: bias correction folded into the step size, epsilon 1e-7.
          const b1 = 0.9;
          const b2 = 0.999;
          const alpha = (lr * Math.sqrt(1 - Math.pow(b2, t))) / (1 - Math.pow(b1, t));
          for (let i = 0; i < w.length; i++) {
            const gi = g[i]!;
            mk[i] = mk[i]! + (gi - mk[i]!) * (1 - b1);
            vk[i] = vk[i]! + (gi * gi - vk[i]!) * (1 - b2);
            w[i] = w[i]! - (mk[i]! * alpha) / (Math.sqrt(vk[i]!) + 1e-7);
          }
        } else if (kind === 'rmsprop') {
          // Keras RMSprop: rho 0.9, epsilon 1e-7.
          for (let i = 0; i < w.length; i++) {
            const gi = g[i]!;
            vk[i] = 0.9 * vk[i]! + 0.1 * gi * gi;
            w[i] = w[i]! - (lr * gi) / (Math.sqrt(vk[i]!) + 1e-7);
          }
        } else {
          // SGD with momentum 0.9.
          for (let i = 0; i < w.length; i++) {
            mk[i] = 0.9 * mk[i]! - lr * g[i]!;
            w[i] = w[i]! + mk[i]!;
          }
        }
      });
    },
  };
}

/**
 * Loss over one batch of network outputs and its gradient w.r.t. the input of the last layer
 * when that layer is a softmax (fused CE+softmax: p − y), else w.r.t. the output.
 * Returns the summed (weighted) loss and the number of correct predictions.
 */
function lossAndGrad(out: Float64Array, rows: number[], data: Dataset, task: Task, outSize: number, grad: Float64Array, fusedSoftmax: boolean, scale: number): { loss: number; correct: number } {
  let loss = 0;
  let correct = 0;
  if (task.kind === 'classification') {
    const C = outSize;
    for (let b = 0; b < rows.length; b++) {
      const label = data.labels![rows[b]!]!;
      const w = task.classWeights ? task.classWeights[label]! : 1;
      let best = 0;
      for (let c = 1; c < C; c++) if (out[b * C + c]! > out[b * C + best]!) best = c;
      if (best === label) correct++;
      const p = Math.min(Math.max(out[b * C + label]!, 1e-7), 1 - 1e-7);
      loss += -Math.log(p) * w;
      for (let c = 0; c < C; c++) {
        const y = c === label ? 1 : 0;
        grad[b * C + c] = fusedSoftmax ? (out[b * C + c]! - y) * w * scale : c === label ? (-w * scale) / p : 0;
      }
    }
  } else {
    const T = outSize;
    for (let b = 0; b < rows.length; b++) {
      for (let j = 0; j < T; j++) {
        const d = out[b * T + j]! - data.targets![rows[b]! * T + j]!;
        if (task.loss === 'mse') {
          loss += (d * d) / T;
          grad[b * T + j] = ((2 * d) / T) * scale;
        } else {
          loss += Math.abs(d) / T;
          grad[b * T + j] = (Math.sign(d) / T) * scale;
        }
      }
    }
  }
  return { loss, correct };
}

/** Copies rows into a batch buffer. */
function gather(data: Dataset, rows: number[], inSize: number, into: Float64Array): Float64Array {
  for (let b = 0; b < rows.length; b++) into.set(data.x.subarray(rows[b]! * inSize, (rows[b]! + 1) * inSize), b * inSize);
  return into.subarray(0, rows.length * inSize);
}

/** Inference over a whole dataset in chunks; returns outputs batch-major. */
export function predict(net: Network, x: Float64Array, n: number, chunk = 256): Float64Array {
  const inSize = net.inputShape.reduce((a, b) => a * b, 1);
  const outSize = net.outputShape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n * outSize);
  for (let s = 0; s < n; s += chunk) {
    const m = Math.min(chunk, n - s);
    const y = net.forward(x.subarray(s * inSize, (s + m) * inSize), m, false);
    out.set(y.subarray(0, m * outSize), s * outSize);
  }
  return out;
}

/** Mean loss and accuracy (classification) of a dataset, unweighted. */
export function evaluate(net: Network, data: Dataset, task: Task): { loss: number; acc: number } {
  const outSize = net.outputShape.reduce((a, b) => a * b, 1);
  const out = predict(net, data.x, data.n);
  const rows = Array.from({ length: data.n }, (_, i) => i);
  const plain: Task = task.kind === 'classification' ? { kind: 'classification', numClasses: task.numClasses } : task;
  const { loss, correct } = lossAndGrad(out, rows, data, plain, outSize, new Float64Array(out.length), false, 1);
  return { loss: loss / Math.max(data.n, 1), acc: task.kind === 'classification' ? correct / Math.max(data.n, 1) : NaN };
}

export interface TrainResult {
  curves: EpochLog[];
  /** 1-based epoch whose weights were kept. */
  bestEpoch: number;
  stoppedEarly: boolean;
}

/**
 * Mini-batch training. Deterministic for a fixed seed: shuffles, dropout masks and initial
 * weights all come from seeded generators, and arithmetic order never depends on timing.
 */
export function train(
  net: Network,
  trainSet: Dataset,
  valSet: Dataset | null,
  task: Task,
  settings: TrainingSettings,
  onEpoch?: (log: EpochLog) => void,
): TrainResult {
  const run = trainEpochs(net, trainSet, valSet, task, settings);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
    onEpoch?.(step.value);
  }
}

/**
 * Like train(), but gives the event loop a turn after every epoch so progress is shown and a
 * cancellation (which throws from onEpoch) is noticed while training.
 */
export async function trainAsync(
  net: Network,
  trainSet: Dataset,
  valSet: Dataset | null,
  task: Task,
  settings: TrainingSettings,
  onEpoch?: (log: EpochLog) => void,
): Promise<TrainResult> {
  const run = trainEpochs(net, trainSet, valSet, task, settings);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
    onEpoch?.(step.value);
  }
}

/** The training loop as a generator: yields each epoch's log, returns the result. */
export function* trainEpochs(net: Network, trainSet: Dataset, valSet: Dataset | null, task: Task, settings: TrainingSettings): Generator<EpochLog, TrainResult, void> {
  const inSize = net.inputShape.reduce((a, b) => a * b, 1);
  const outSize = net.outputShape.reduce((a, b) => a * b, 1);
  const last = net.layers[net.layers.length - 1];
  const fused = task.kind === 'classification' && last?.kind === 'softmax';
  const params = net.params;
  const opt = makeOptimizer(settings.optimizer, settings.learningRate, params);
  const rng = new Rng(settings.seed).fork(3);
  const B = settings.batchSize;
  const xb = new Float64Array(B * inSize);
  const grad = new Float64Array(B * outSize);
  const order = Array.from({ length: trainSet.n }, (_, i) => i);
  const curves: EpochLog[] = [];
  const es = settings.earlyStopping;
  let best = Infinity;
  let bestEpoch = settings.epochs;
  let bestWeights: Float64Array[] | null = null;
  let wait = 0;
  let stoppedEarly = false;

  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    const t0 = performance.now();
    rng.shuffle(order);
    let lossSum = 0;
    let correct = 0;
    for (let s = 0; s < trainSet.n; s += B) {
      const rows = order.slice(s, s + B);
      const m = rows.length;
      const x = gather(trainSet, rows, inSize, xb);
      const upTo = fused ? net.layers.length - 1 : net.layers.length;
      net.zeroGrads();
      let out = net.forward(x, m, true, upTo);
      if (fused) out = last!.forward(out, m, true);
      const r = lossAndGrad(out, rows, trainSet, task, outSize, grad, fused, 1 / m);
      lossSum += r.loss;
      correct += r.correct;
      net.backward(grad.subarray(0, m * outSize), m, upTo);
      opt.step(params, 1 / m);
    }
    const log: EpochLog = {
      epoch,
      loss: lossSum / trainSet.n,
      acc: task.kind === 'classification' ? correct / trainSet.n : NaN,
      val_loss: null,
      val_acc: null,
      seconds: 0,
    };
    if (valSet && valSet.n > 0) {
      const v = evaluate(net, valSet, task);
      log.val_loss = v.loss;
      log.val_acc = task.kind === 'classification' ? v.acc : null;
    }
    log.seconds = (performance.now() - t0) / 1000;
    curves.push(log);
    yield log;

    if (es) {
      const useVal = log.val_loss !== null;
      const score = es.monitor === 'val_accuracy' && useVal ? -(log.val_acc ?? 0) : useVal ? log.val_loss! : log.loss;
      if (score < best - es.minDelta) {
        best = score;
        bestEpoch = epoch;
        wait = 0;
        if (es.restoreBestWeights) bestWeights = params.map((p) => Float64Array.from(p.value));
      } else if (++wait > es.patience) {
        stoppedEarly = true;
        break;
      }
    }
  }
  if (es?.restoreBestWeights && bestWeights && stoppedEarly) params.forEach((p, k) => p.value.set(bestWeights![k]!));
  if (!stoppedEarly) bestEpoch = curves.length;
  return { curves, bestEpoch, stoppedEarly };
}

/**
 * Deterministic validation split: per class (stratified), or per group when `groups` is given
 * (a group never straddles the split). Returns row indices of each side, sorted.
 */
export function splitValidation(labels: ArrayLike<number>, fraction: number, seed: number, groups?: readonly (string | null)[]): { train: number[]; val: number[] } {
  const n = labels.length;
  if (fraction <= 0 || n < 2) return { train: Array.from({ length: n }, (_, i) => i), val: [] };
  const rng = new Rng(seed).fork(4);
  const val = new Set<number>();
  if (groups) {
    // Whole groups go to validation, stratified by the class of each group's first row, until
    // each class bucket holds ~fraction of its rows. Rows without a group are their own unit.
    const units = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const key = groups[i] != null ? `g:${groups[i]}` : `#${i}`;
      const list = units.get(key) ?? [];
      list.push(i);
      units.set(key, list);
    }
    const buckets = new Map<number, string[]>();
    for (const [key, rows] of units) {
      const c = labels[rows[0]!]!;
      const list = buckets.get(c) ?? [];
      list.push(key);
      buckets.set(c, list);
    }
    for (const c of [...buckets.keys()].sort((a, b) => a - b)) {
      const keys = rng.shuffle(buckets.get(c)!.sort());
      const total = keys.reduce((a, k) => a + units.get(k)!.length, 0);
      const target = Math.round(total * fraction);
      let taken = 0;
      for (const key of keys) {
        if (taken >= target) break;
        const rows = units.get(key)!;
        if (taken > 0 && taken + rows.length > target * 1.05) continue;
        for (const i of rows) val.add(i);
        taken += rows.length;
      }
    }
  } else {
    // Stratified: the same fraction of every class.
    const byClass = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const list = byClass.get(labels[i]!) ?? [];
      list.push(i);
      byClass.set(labels[i]!, list);
    }
    for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
      const rows = rng.shuffle(byClass.get(c)!.slice());
      for (const i of rows.slice(0, Math.round(rows.length * fraction))) val.add(i);
    }
  }
  const trainRows: number[] = [];
  const valRows: number[] = [];
  for (let i = 0; i < n; i++) (val.has(i) ? valRows : trainRows).push(i);
  return { train: trainRows, val: valRows };
}

/** Balanced class weights: n / (classes · count_c); classes absent from training get 1. */
export function balancedClassWeights(labels: ArrayLike<number>, numClasses: number): Float64Array {
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!] = counts[labels[i]!]! + 1;
  return counts.map((c) => (c > 0 ? labels.length / (numClasses * c) : 1));
}

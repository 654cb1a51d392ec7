import type * as TF from '@tensorflow/tfjs';
import type { Network } from './network.js';
import type { LayerSpec } from './spec.js';
import { copyWeightsToTfjs, toTfjsModel } from './tfjs-keras.js';
import type { Dataset, EpochLog, Task, TrainingSettings, TrainResult } from './train.js';

export type Tf = typeof TF;

/** The engine's parameters in tf.layers order: trainable weights first, then BN statistics. */
function tfjsOrder(net: Network): Network['params'] {
  return [...net.params.filter((p) => p.trainable), ...net.params.filter((p) => !p.trainable)];
}

/**
 * Trains `net` with TensorFlow.js (`tf` is @tensorflow/tfjs-node in production; any tfjs build
 * works): the same layer spec as a tf.layers model, started from the engine's seeded initial
 * weights, fitted with Keras' optimizer/loss, and the trained weights copied back into `net`,
 * so lowering, quantization and metrics are the engine's. Not bit-reproducible like the engine
 * (tfjs shuffles and drops out with its own generator).
 */
export async function trainWithTfjs(tf: Tf, net: Network, specs: readonly LayerSpec[], trainSet: Dataset, valSet: Dataset | null, task: Task, settings: TrainingSettings, onEpoch?: (log: EpochLog) => void): Promise<TrainResult> {
  const inSize = net.inputShape.reduce((a, b) => a * b, 1);
  const outSize = net.outputShape.reduce((a, b) => a * b, 1);
  const model = toTfjsModel(tf, specs, net.inputShape, outSize);
  copyWeightsToTfjs(tf, net, model);
  const optimizer =
    settings.optimizer === 'adam' ? tf.train.adam(settings.learningRate, 0.9, 0.999, 1e-7) : settings.optimizer === 'rmsprop' ? tf.train.rmsprop(settings.learningRate, 0.9, 0, 1e-7) : tf.train.momentum(settings.learningRate, 0.9);
  const classification = task.kind === 'classification';
  model.compile({ optimizer, loss: classification ? 'categoricalCrossentropy' : task.loss === 'mse' ? 'meanSquaredError' : 'meanAbsoluteError', metrics: classification ? ['accuracy'] : [] });

  const tensors: TF.Tensor[] = [];
  const keep = <T extends TF.Tensor>(t: T): T => (tensors.push(t), t);
  const xOf = (d: Dataset): TF.Tensor => keep(tf.tensor(Float32Array.from(d.x.subarray(0, d.n * inSize)), [d.n, ...net.inputShape]));
  const yOf = (d: Dataset): TF.Tensor => keep(classification ? tf.oneHot(tf.tensor1d(Int32Array.from(d.labels!.subarray(0, d.n)), 'int32'), outSize).toFloat() : tf.tensor2d(Float32Array.from(d.targets!.subarray(0, d.n * outSize)), [d.n, outSize]));
  const x = xOf(trainSet);
  const y = yOf(trainSet);
  const validationData: [TF.Tensor, TF.Tensor] | undefined = valSet && valSet.n > 0 ? [xOf(valSet), yOf(valSet)] : undefined;
  const classWeight = task.kind === 'classification' && task.classWeights ? Object.fromEntries(Array.from(task.classWeights, (w, c) => [c, w])) : undefined;

  const curves: EpochLog[] = [];
  const es = settings.earlyStopping;
  let best = Infinity;
  let bestEpoch = settings.epochs;
  let bestWeights: TF.Tensor[] | null = null;
  let wait = 0;
  let stoppedEarly = false;
  let t0 = performance.now();
  try {
    await model.fit(x, y, {
      epochs: settings.epochs,
      batchSize: settings.batchSize,
      shuffle: true,
      verbose: 0,
      ...(validationData ? { validationData } : {}),
      ...(classWeight ? { classWeight } : {}),
      callbacks: {
        onEpochBegin: async () => {
          t0 = performance.now();
        },
        onEpochEnd: async (epoch, logs = {}) => {
          const num = (k: string): number | null => (typeof logs[k] === 'number' ? (logs[k] as number) : null);
          const log: EpochLog = { epoch: epoch + 1, loss: num('loss') ?? NaN, acc: classification ? (num('acc') ?? num('accuracy') ?? NaN) : NaN, val_loss: num('val_loss'), val_acc: classification ? (num('val_acc') ?? num('val_accuracy')) : null, seconds: (performance.now() - t0) / 1000 };
          curves.push(log);
          onEpoch?.(log); // may throw (cancellation): fit() rejects and the finally block cleans up
          if (!es) return;
          const useVal = log.val_loss !== null;
          const score = es.monitor === 'val_accuracy' && useVal ? -(log.val_acc ?? 0) : useVal ? log.val_loss! : log.loss;
          if (score < best - es.minDelta) {
            best = score;
            bestEpoch = log.epoch;
            wait = 0;
            if (es.restoreBestWeights) {
              bestWeights?.forEach((t) => t.dispose());
              bestWeights = model.getWeights().map((w) => w.clone());
            }
          } else if (++wait > es.patience) {
            stoppedEarly = true;
            model.stopTraining = true;
          }
        },
      },
    });
    if (es?.restoreBestWeights && bestWeights && stoppedEarly) model.setWeights(bestWeights);
    const ordered = tfjsOrder(net);
    model.getWeights().forEach((w, k) => ordered[k]!.value.set(w.dataSync()));
  } finally {
    (bestWeights as TF.Tensor[] | null)?.forEach((t) => t.dispose());
    tensors.forEach((t) => t.dispose());
    model.dispose();
  }
  if (!stoppedEarly) bestEpoch = curves.length;
  return { curves, bestEpoch, stoppedEarly };
}

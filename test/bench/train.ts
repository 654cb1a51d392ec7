/**
 * Training benchmark: the EI default 1-D conv KWS network on 1,281 MFCC 50×13 samples,
 * 30 epochs, batch 32, trained by the tinyforge engine, side by side with stock tf.layers on
 * the TensorFlow.js CPU backend (timed over a few epochs; per-epoch cost is flat).
 * Run: npx tsx test/bench/train.ts   (env BENCH_TFJS_EPOCHS=n to change the baseline epochs)
 */
import { buildNetwork } from '../../blocks/src/learn/nn/network.js';
import { Rng } from '../../blocks/src/learn/nn/rng.js';
import { parseLayers, presetLayers } from '../../blocks/src/learn/nn/spec.js';
import { train, trainingSchema } from '../../blocks/src/learn/nn/train.js';
import { toTfjsModel } from '../../blocks/src/learn/nn/tfjs-keras.js';
import { kwsAvailable, KWS_DIR, loadKwsSamples } from '../../blocks/src/learn/testing/kws-fixture.js';

if (!kwsAvailable()) {
  console.log(`skipped: ${KWS_DIR} is absent`);
  process.exit(process.env.CI === 'true' ? 1 : 0);
}

const samples = loadKwsSamples();
const labels = [...new Set(samples.map((s) => s.label))].sort();
const n = samples.length;
const inSize = samples[0]!.values.length;
const x = new Float64Array(n * inSize);
const y = new Int32Array(n);
samples.forEach((s, i) => {
  x.set(s.values, i * inSize);
  y[i] = labels.indexOf(s.label);
});

const EPOCHS = 30;
const specs = parseLayers(presetLayers('ei-conv1d-audio', 13));
const settings = trainingSchema.parse({ epochs: EPOCHS, batchSize: 32, learningRate: 0.005, validationSplit: 0, seed: 1 });
const net = buildNetwork(specs, [inSize], labels.length, new Rng(settings.seed));
const t0 = performance.now();
const result = train(net, { x, n, labels: y }, null, { kind: 'classification', numClasses: labels.length }, settings);
const engineTotal = (performance.now() - t0) / 1000;
const enginePerEpoch = engineTotal / EPOCHS;
const lastEpoch = result.curves[result.curves.length - 1]!;

// DS-CNN (MLPerf Tiny KWS) on the same features: one epoch over 256 samples, scaled to 1,281.
const dsSpecs = parseLayers(presetLayers('mlperf-ds-cnn', 13));
const dsNet = buildNetwork(dsSpecs, [inSize], labels.length, new Rng(1));
const dsN = 256;
const t2 = performance.now();
train(dsNet, { x: x.subarray(0, dsN * inSize), n: dsN, labels: y.subarray(0, dsN) }, null, { kind: 'classification', numClasses: labels.length }, trainingSchema.parse({ epochs: 1, batchSize: 32, learningRate: 0.001, validationSplit: 0 }));
const dsPerEpoch = ((performance.now() - t2) / 1000) * (n / dsN);

// Baseline: stock tf.layers + model.fit on the tfjs CPU backend.
const tf = await import('@tensorflow/tfjs');
await tf.setBackend('cpu');
const tfEpochs = Number(process.env.BENCH_TFJS_EPOCHS ?? 3);

const model = toTfjsModel(tf, specs, [inSize], labels.length);
model.compile({ optimizer: tf.train.adam(0.005), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
const xt = tf.tensor2d(Float32Array.from(x), [n, inSize]);
const yt = tf.oneHot(tf.tensor1d(y, 'int32'), labels.length);
const t1 = performance.now();
await model.fit(xt, yt, { epochs: tfEpochs, batchSize: 32, shuffle: true, verbose: 0 });
const tfPerEpoch = (performance.now() - t1) / 1000 / tfEpochs;

console.log(`train.kws_conv1d.samples: ${n} samples (${labels.join('/')}, ${samples[0]!.shape.join('×')} MFCC)`);
console.log(`train.kws_conv1d.engine_per_epoch: ${enginePerEpoch.toFixed(3)} s (goal ≤ 0.333)`);
console.log(`train.kws_conv1d.engine_total_30_epochs: ${engineTotal.toFixed(2)} s (goal ≤ 10)`);
console.log(`train.kws_conv1d.engine_final_train_acc: ${(lastEpoch.acc * 100).toFixed(1)} % (goal ≥ 90, training fit only)`);
console.log(`train.kws_conv1d.tfjs_cpu_layers_per_epoch: ${tfPerEpoch.toFixed(3)} s (baseline, ${tfEpochs} epochs timed)`);
console.log(`train.kws_conv1d.tfjs_cpu_layers_total_30_epochs_est: ${(tfPerEpoch * EPOCHS).toFixed(1)} s (baseline, extrapolated)`);
console.log(`train.kws_dscnn.engine_per_epoch_est: ${dsPerEpoch.toFixed(1)} s (info: 1,281 samples, scaled from ${dsN})`);
console.log(`train.kws_conv1d.speedup_vs_tfjs_cpu: ${(tfPerEpoch / enginePerEpoch).toFixed(1)} x (goal ≥ 10)`);

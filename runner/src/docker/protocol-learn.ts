import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  TinyforgeError,
  type FileSetWriter,
  type JsonValue,
  type Sample,
} from '@tinyforge/sdk';
import { IN_DIR, OUT_DIR, sampleSetToOne, type AnyContext, type ContainerRunner } from './contract.js';
import { listFiles } from './ei-data.js';
import { encodeNpyFloat32 } from './npy.js';

/** Files a learning block may leave; at least one must be there. */
const MODEL_FILE = /(^|\/)(model\.onnx|saved_model\.zip|[^/]+\.tflite|model\.pkl|[^/]+\.h5|[^/]*weights[^/]*|[^/]+\.npy|[^/]+\.npz|[^/]+\.pt)$/;
const DEFAULT_VALIDATION = 0.2;

/**
 * Edge Impulse learning-block contract: `--data-directory` with X_split_train.npy,
 * Y_split_train.npy (one-hot float32), X_split_test.npy / Y_split_test.npy (the validation
 * split, taken from the training samples by a hash of their ids, so it is stable),
 * sample_id_details.json; `--info-file` train_input.json; `--out-directory` for the model files,
 * which all go into the model artifact.
 */
export async function runLearnProtocol(ctx: AnyContext, runner: ContainerRunner, dirs: { inDir: string; outDir: string }): Promise<void> {
  const { input, output } = sampleSetToOne<FileSetWriter>(ctx, 'model', 'learning container block');
  const params = ctx.params as Record<string, unknown>;
  const validationSize = typeof params['validation-set-size'] === 'number' ? (params['validation-set-size'] as number) : DEFAULT_VALIDATION;

  const train: Sample[] = [];
  for await (const s of input) if (s.category === 'train') train.push(s);
  if (train.length === 0) throw new TinyforgeError({ code: 'BAD_INPUT', message: 'no training samples in the input' });
  const width = train[0]!.values.length;
  const odd = train.find((s) => s.values.length !== width);
  if (odd) throw new TinyforgeError({ code: 'BAD_INPUT', message: `samples differ in length: "${train[0]!.id}" has ${width} values, "${odd.id}" ${odd.values.length}` });
  const unlabeled = train.find((s) => s.label === null);
  if (unlabeled) throw new TinyforgeError({ code: 'BAD_INPUT', message: `sample "${unlabeled.id}" has no label` });
  const metaLabels = input.meta['labels'];
  const labels = Array.isArray(metaLabels) && metaLabels.every((l) => typeof l === 'string') ? (metaLabels as string[]) : [...new Set(train.map((s) => s.label!))].sort();

  const ordered = [...train].sort((a, b) => hashOf(a.id).localeCompare(hashOf(b.id)));
  let nValidation = Math.round(train.length * validationSize);
  if (validationSize > 0 && train.length > 1) nValidation = Math.min(train.length - 1, Math.max(1, nValidation));
  const validation = new Set(ordered.slice(0, nValidation).map((s) => s.id));
  const trainSet = train.filter((s) => !validation.has(s.id));
  const validationSet = train.filter((s) => validation.has(s.id));

  const sampleShape = train[0]!.shape && train[0]!.shape.reduce((a, b) => a * b, 1) === width ? train[0]!.shape : [width];
  const write = async (name: string, samples: Sample[]) => {
    const x = new Float32Array(samples.length * width);
    const y = new Float32Array(samples.length * labels.length);
    samples.forEach((s, i) => {
      x.set(s.values, i * width);
      const c = labels.indexOf(s.label!);
      if (c < 0) throw new TinyforgeError({ code: 'BAD_INPUT', message: `sample "${s.id}" has label "${s.label}", which is not in the input's labels` });
      y[i * labels.length + c] = 1;
    });
    await writeFile(join(dirs.inDir, `X_split_${name}.npy`), encodeNpyFloat32(x, [samples.length, width]));
    await writeFile(join(dirs.inDir, `Y_split_${name}.npy`), encodeNpyFloat32(y, [samples.length, labels.length]));
  };
  await write('train', trainSet);
  await write('test', validationSet);
  await writeFile(join(dirs.inDir, 'sample_id_details.json'), JSON.stringify({ train: trainSet.map((s) => s.id), validation: validationSet.map((s) => s.id) }));
  const info = {
    classes: labels,
    mode: 'classification',
    inputShapeString: `(${sampleShape.join(', ')}${sampleShape.length === 1 ? ',' : ''})`,
    yType: 'npy',
    trainTestSplit: validationSize,
    stratifiedTrainTest: false,
    onlineDspConfig: null,
    convertInt8: false,
    flattenDataset: true,
  };
  await writeFile(join(dirs.inDir, 'train_input.json'), JSON.stringify(info, null, 1));
  ctx.log.info(`training on ${trainSet.length} samples, validating on ${validationSet.length}; ${labels.length} classes, ${width} features`);

  await runner.run(['--data-directory', IN_DIR, '--out-directory', OUT_DIR, '--info-file', `${IN_DIR}/train_input.json`, ...runner.paramArgs.args], dirs);

  const files = await listFiles(dirs.outDir);
  if (!files.some((f) => MODEL_FILE.test(f))) {
    throw new TinyforgeError({
      code: 'BLOCK_FAILED',
      message: `the learning block left no model in --out-directory (expected model.onnx, saved_model.zip, *.tflite, model.pkl or a weights file)${files.length ? `; found ${files.slice(0, 8).join(', ')}` : ''}`,
    });
  }
  const model = output;
  for (const name of files) await model.writeFile(name, await readFile(join(dirs.outDir, name)));
  const meta: Record<string, JsonValue> = { task: 'classification', labels, inputShape: sampleShape, files, source: 'container' };
  const dsp = input.meta['dsp'];
  if (dsp !== undefined) meta.dsp = dsp;
  model.setMeta(meta);
}

function hashOf(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

import { TinyforgeError, type FileSetReader, type Precision, type Predictor } from '@tinyforge/sdk';
import type { ModelIR } from '../ir/types.js';

/**
 * The classifier's model artifact as a predictor: the TypeScript reference interpreter of the
 * int8 IR (the oracle generated code must match bit for bit), or the float32 IR.
 */
export async function loadClassifierPredictor(model: FileSetReader, options: { precision: Precision }): Promise<Predictor> {
  const { precision } = options;
  const names = new Set(model.files.map((f) => f.name));
  if (!names.has(`ir.${precision}.json`)) {
    throw new TinyforgeError({ code: 'BAD_INPUT', message: `the model artifact has no ${precision} model (ir.${precision}.json)${precision === 'int8' ? '; set quantize: true' : ''}` });
  }
  const ir = await model.readJson<ModelIR>(`ir.${precision}.json`);
  const bin = new Uint8Array(await model.readFile(`weights.${precision}.bin`));
  const spec = await model.readJson<{ labels: string[] }>('spec.json');
  const irModel = { ir, bin };
  const { runFloat, runInt8, quantizeInput, dequantizeOutput } = await import('../ir/interpreter.js');
  return {
    labels: spec.labels,
    precision,
    predict(features: Float32Array) {
      if (precision === 'float32') return { scores: runFloat(irModel, features) };
      const raw = runInt8(irModel, quantizeInput(irModel, features));
      return { scores: dequantizeOutput(irModel, raw), raw };
    },
  };
}

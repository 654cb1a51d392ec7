import { TinyforgeError } from '@tinyforge/sdk';
import { elementCount, type IrModel } from './model.js';
import { IR_FORMAT, IR_VERSION, type ModelIR } from './types.js';

const BYTES: Record<string, number> = { float32: 4, int8: 1, int32: 4 };

/**
 * Checks an IR document read from a model artifact (format, version, tensor references,
 * buffer bounds and sizes) and pairs it with its weights. Consumers (deploy targets, the
 * test runner) call this instead of trusting the JSON.
 */
export function loadModelIr(json: unknown, bin: Uint8Array, file = 'ir.json'): IrModel {
  const fail = (message: string): TinyforgeError => new TinyforgeError({ code: 'BAD_INPUT', file, message });
  const ir = json as ModelIR;
  if (!ir || typeof ir !== 'object' || ir.format !== IR_FORMAT) throw fail(`not a ${IR_FORMAT} document`);
  if (ir.version !== IR_VERSION) throw fail(`IR version ${String(ir.version)} is not supported (this build reads version ${IR_VERSION})`);
  if (ir.precision !== 'float32' && ir.precision !== 'int8') throw fail(`unknown precision ${String(ir.precision)}`);
  if (bin.length !== ir.weightsBytes) throw fail(`weights file has ${bin.length} bytes, the IR expects ${ir.weightsBytes}`);
  ir.tensors.forEach((t, i) => {
    if (t.id !== i) throw fail(`tensor ${i} has id ${t.id}`);
    if (t.buffer) {
      const want = elementCount(t.shape) * (BYTES[t.dtype] ?? NaN);
      if (t.buffer.length !== want) throw fail(`tensor ${t.name}: buffer of ${t.buffer.length} bytes, shape needs ${want}`);
      if (t.buffer.offset % 16 !== 0 || t.buffer.offset + t.buffer.length > bin.length) throw fail(`tensor ${t.name}: buffer out of bounds or unaligned`);
    }
    if (ir.precision === 'int8' && !t.buffer && !t.quant) throw fail(`activation tensor ${t.name} has no quantization`);
  });
  const known = (id: number): boolean => Number.isInteger(id) && id >= 0 && id < ir.tensors.length;
  for (const [k, op] of ir.ops.entries()) {
    if (![...op.inputs, ...op.outputs].every(known)) throw fail(`op ${k} (${op.op}) refers to a missing tensor`);
  }
  if (!known(ir.input) || !known(ir.output)) throw fail('input or output tensor missing');
  return { ir, bin };
}

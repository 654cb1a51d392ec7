import { describe, expect, it } from 'vitest';
import { runFloat } from '@tinyforge/blocks/learn/ir/interpreter';
import type { IrModel } from '@tinyforge/blocks/learn/ir/model';
import { Rng } from '@tinyforge/blocks/learn/nn/rng';
import { runGeneratedFloat } from './testing/golden.js';
import { dsCnn, eiConv1dKws, everyLayerModel, type TestModel } from './testing/models.js';

/**
 * The optional float path (precision: float32): the generated float kernels against the float
 * reference interpreter. Not bit-exact (the C compiler may contract or reorder float sums), so
 * every tensor must agree within a tolerance relative to its own magnitude.
 */

/** Largest |got − want| over a tensor, relative to max(1, max |want|). */
function relativeError(want: Float32Array, got: Float32Array): number {
  let scale = 1;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
  return err / scale;
}

function inputs(m: TestModel, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  const n = m.samples[0]!.length;
  return [...m.samples.slice(0, 6), ...Array.from({ length: 4 }, () => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * 3))];
}

function check(model: IrModel, xs: Float32Array[], run: Awaited<ReturnType<typeof runGeneratedFloat>>): string[] {
  const bad: string[] = [];
  const first = new Map<number, Float32Array>();
  xs.forEach((x, i) => {
    const want = runFloat(model, x, i === 0 ? (id, d) => first.set(id, Float32Array.from(d)) : undefined);
    const got = run.outputs[i]!;
    if (got.length !== want.length) bad.push(`vector ${i}: ${got.length} outputs, expected ${want.length}`);
    else if (relativeError(want, got) > 1e-4) bad.push(`vector ${i}: output error ${relativeError(want, got)}`);
  });
  if (run.tensors.size !== model.ir.ops.length) bad.push(`${run.tensors.size} observed tensors, expected ${model.ir.ops.length}`);
  for (const [id, got] of run.tensors) {
    const want = first.get(id);
    if (!want) bad.push(`tensor ${id} has no reference`);
    else if (relativeError(want, got) > 1e-4) bad.push(`tensor ${model.ir.tensors[id]!.name}: error ${relativeError(want, got)}`);
  }
  return bad;
}

describe('float32 path: generated C++ agrees with runFloat (host g++)', () => {
  for (const m of [everyLayerModel(), eiConv1dKws(), dsCnn()])
    it(`${m.name}: every output and every intermediate tensor within 1e-4 (relative)`, async () => {
      const xs = inputs(m, 3);
      const run = await runGeneratedFloat(m.float, xs);
      expect(check(m.float, xs, run)).toEqual([]);
      // The check can fail: a perturbed bias of the last dense layer must be seen.
      const b = m.float.ir.ops.filter((o) => o.op === 'FULLY_CONNECTED').at(-1)!.inputs[2];
      const buf = m.float.ir.tensors[b]!.buffer!;
      const broken: IrModel = { ...m.float, bin: m.float.bin.slice() };
      new Float32Array(broken.bin.buffer, broken.bin.byteOffset + buf.offset, buf.length / 4)[0]! += 0.5;
      const brokenRun = await runGeneratedFloat(broken, xs.slice(0, 1));
      expect(check(m.float, xs.slice(0, 1), brokenRun).length).toBeGreaterThan(0);
    });
});

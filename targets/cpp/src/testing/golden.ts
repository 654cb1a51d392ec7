import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IrModel } from '@tinyforge/blocks/learn/ir/model';
import { runInt8 } from '@tinyforge/blocks/learn/ir/interpreter';
import { buildHost, runBinary, writeFiles } from '../build/host-build.js';
import { emitCppLibrarySync } from '../emit-library.js';

export const HARNESS = fileURLToPath(new URL('../../runtime/harness/golden_harness.cpp', import.meta.url));

export interface GoldenRun {
  outputs: Int8Array[];
  /** tensor id → bytes, for the first vector. */
  tensors: Map<number, Int8Array>;
}

/** Builds the generated library with the host compiler and runs int8 vectors through it. */
export async function runGenerated(model: IrModel, inputs: Int8Array[], defines: string[] = []): Promise<GoldenRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tf-cpp-'));
  const lib = emitCppLibrarySync(model);
  await writeFiles(dir, lib.files);
  const exe = await buildHost(dir, lib.files, { extraSources: [HARNESS], defines, include: (rel) => !rel.startsWith('examples/') && !rel.includes('/classifier/') });
  const inCount = inputs[0]!.length;
  const stdin = new Uint8Array(4 + inputs.length * inCount);
  new DataView(stdin.buffer).setUint32(0, inputs.length, true);
  inputs.forEach((v, i) => stdin.set(new Uint8Array(v.buffer, v.byteOffset, v.length), 4 + i * inCount));
  const out = await runBinary(exe, ['--dump'], stdin);
  const outCount = model.ir.tensors[model.ir.output]!.shape.reduce((a, b) => a * b, 1);
  const outputs = inputs.map((_, i) => new Int8Array(out.buffer.slice(out.byteOffset + i * outCount, out.byteOffset + (i + 1) * outCount)));
  const tensors = new Map<number, Int8Array>();
  let at = inputs.length * outCount;
  while (at + 8 <= out.length) {
    const id = out.readInt32LE(at);
    const bytes = out.readUInt32LE(at + 4);
    tensors.set(id, new Int8Array(out.buffer.slice(out.byteOffset + at + 8, out.byteOffset + at + 8 + bytes)));
    at += 8 + bytes;
  }
  return { outputs, tensors };
}

/** First mismatch between the generated code and runInt8, or null (outputs and first-vector tensors). */
export function compareWithReference(model: IrModel, inputs: Int8Array[], run: GoldenRun): string | null {
  const expectedTensors = new Map<number, Int8Array>();
  for (let i = 0; i < inputs.length; i++) {
    const want = runInt8(model, inputs[i]!, i === 0 ? (id, data) => expectedTensors.set(id, Int8Array.from(data)) : undefined);
    const got = run.outputs[i]!;
    for (let k = 0; k < want.length; k++) if (want[k] !== got[k]) return `vector ${i}, output ${k}: expected ${want[k]}, got ${got[k]}`;
  }
  for (const [id, got] of run.tensors) {
    const want = expectedTensors.get(id);
    if (!want) return `tensor ${id} has no reference`;
    for (let k = 0; k < want.length; k++) if (want[k] !== got[k]) return `tensor ${id} (${model.ir.tensors[id]!.name}) element ${k}: expected ${want[k]}, got ${got[k]}`;
  }
  return null;
}

export interface FloatRun {
  outputs: Float32Array[];
  /** tensor id → values, for the first vector. */
  tensors: Map<number, Float32Array>;
}

/** The float path: builds the generated float32 library with the host compiler and runs vectors through it. */
export async function runGeneratedFloat(model: IrModel, inputs: Float32Array[], defines: string[] = []): Promise<FloatRun> {
  if (model.ir.precision !== 'float32') throw new Error('runGeneratedFloat needs a float32 IR');
  const dir = await mkdtemp(path.join(tmpdir(), 'tf-cpp-f32-'));
  const lib = emitCppLibrarySync(model);
  await writeFiles(dir, lib.files);
  const exe = await buildHost(dir, lib.files, { extraSources: [HARNESS], defines, include: (rel) => !rel.startsWith('examples/') && !rel.includes('/classifier/') });
  const inCount = inputs[0]!.length;
  const stdin = new Uint8Array(4 + inputs.length * inCount * 4);
  new DataView(stdin.buffer).setUint32(0, inputs.length, true);
  inputs.forEach((v, i) => stdin.set(new Uint8Array(Float32Array.from(v).buffer), 4 + i * inCount * 4));
  const out = await runBinary(exe, ['--dump'], stdin);
  const floats = (at: number, n: number): Float32Array => new Float32Array(out.buffer.slice(out.byteOffset + at, out.byteOffset + at + n * 4));
  const outCount = model.ir.tensors[model.ir.output]!.shape.reduce((a, b) => a * b, 1);
  const outputs = inputs.map((_, i) => floats(i * outCount * 4, outCount));
  const tensors = new Map<number, Float32Array>();
  let at = inputs.length * outCount * 4;
  while (at + 8 <= out.length) {
    const id = out.readInt32LE(at);
    const bytes = out.readUInt32LE(at + 4);
    tensors.set(id, floats(at + 8, bytes / 4));
    at += 8 + bytes;
  }
  return { outputs, tensors };
}

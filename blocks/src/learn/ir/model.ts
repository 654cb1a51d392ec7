import type { ModelIR, TensorIR } from './types.js';

/** A model IR document with its constant bytes. */
export interface IrModel {
  ir: ModelIR;
  bin: Uint8Array;
}

/** Appends constant buffers at 16-byte aligned offsets. */
export class BinWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;
  add(data: Float32Array | Int8Array | Int32Array): { offset: number; length: number } {
    const pad = (16 - (this.size % 16)) % 16;
    if (pad) {
      this.chunks.push(new Uint8Array(pad));
      this.size += pad;
    }
    const offset = this.size;
    // Copy through a byte view: typed arrays are little-endian on every supported host.
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.chunks.push(bytes);
    this.size += bytes.length;
    return { offset, length: bytes.length };
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function bytesOf(model: IrModel, t: TensorIR): Uint8Array {
  if (!t.buffer) throw new Error(`tensor ${t.name} has no constant data`);
  // Copy: a Buffer read from disk may sit at an unaligned offset.
  return model.bin.slice(t.buffer.offset, t.buffer.offset + t.buffer.length);
}

export function tensorOf(model: IrModel, id: number): TensorIR {
  const t = model.ir.tensors[id];
  if (!t || t.id !== id) throw new Error(`IR has no tensor ${id}`);
  return t;
}

export function constFloat32(model: IrModel, id: number): Float32Array {
  return new Float32Array(bytesOf(model, tensorOf(model, id)).buffer);
}
export function constInt8(model: IrModel, id: number): Int8Array {
  return new Int8Array(bytesOf(model, tensorOf(model, id)).buffer);
}
export function constInt32(model: IrModel, id: number): Int32Array {
  return new Int32Array(bytesOf(model, tensorOf(model, id)).buffer);
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

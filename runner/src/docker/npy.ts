/**
 * NumPy `.npy` (format 1.0) for little-endian float32 arrays: magic, version, a header dict
 * padded with spaces so the data starts on a 64-byte boundary, then the raw C-order data.
 */
export function encodeNpyFloat32(data: Float32Array, shape: readonly number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`npy: shape [${shape.join(', ')}] holds ${count} values, got ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1; // magic(6) + version(2) + length(2) + header + '\n'
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  if (header.length > 0xffff) throw new Error('npy: header too long');
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), littleEndian(body)]);
}

/** Reads a float32/float64 `.npy` back (for tests and for blocks that return arrays). */
export function decodeNpy(buf: Buffer): { shape: number[]; data: Float32Array | Float64Array } {
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error('npy: bad magic');
  const major = buf[6]!;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new Error('npy: fortran order is not supported');
  const body = buf.subarray(start + headerLen);
  const copy = new Uint8Array(body).buffer;
  if (descr === '<f4') return { shape, data: new Float32Array(copy) };
  if (descr === '<f8') return { shape, data: new Float64Array(copy) };
  throw new Error(`npy: dtype ${descr} is not supported`);
}

function littleEndian(body: Buffer): Buffer {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return body;
  const out = Buffer.from(body);
  out.swap32();
  return out;
}

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { decodeNpy, encodeNpyFloat32 } from './npy.js';

function pythonWithNumpy(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      execFileSync(python, ['-c', 'import numpy'], { stdio: 'ignore' });
      return python;
    } catch {
      // try the next
    }
  }
  return undefined;
}
const python = pythonWithNumpy();
if (!python) console.log(`npy: ${process.env.CI === 'true' ? 'FAIL' : 'skipping the NumPy cross-check'}: no python3 with numpy (apt-get install python3-numpy)`);

describe('.npy writer', () => {
  const data = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * 1000);

  test('header is aligned to 64 bytes and round-trips', () => {
    const buf = encodeNpyFloat32(data, [2, 3, 4]);
    const headerEnd = 10 + buf.readUInt16LE(8);
    expect(headerEnd % 64).toBe(0);
    expect(buf.length).toBe(headerEnd + 24 * 4);
    const back = decodeNpy(buf);
    expect(back.shape).toEqual([2, 3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
    expect(() => encodeNpyFloat32(data, [5, 5])).toThrow(/holds 25 values, got 24/);
  });

  test.runIf(python || process.env.CI === 'true')('NumPy reads what it writes, values and shape (1-D shapes too)', () => {
    if (!python) throw new Error('CI=true: python3 with numpy is required');
    const dir = mkdtempSync(join(tmpdir(), 'tinyforge-npy-'));
    writeFileSync(join(dir, 'a.npy'), encodeNpyFloat32(data, [4, 6]));
    writeFileSync(join(dir, 'b.npy'), encodeNpyFloat32(data.subarray(0, 5), [5]));
    const out = execFileSync(python, ['-c', `import numpy as np, json; a = np.load('${dir}/a.npy'); b = np.load('${dir}/b.npy'); print(json.dumps([str(a.dtype), a.shape, a.sum().item(), a[3, 5].item(), b.shape]))`], { encoding: 'utf8' });
    const [dtype, shape, sum, last, shapeB] = JSON.parse(out) as [string, number[], number, number, number[]];
    expect(dtype).toBe('float32');
    expect(shape).toEqual([4, 6]);
    expect(last).toBeCloseTo(data[23]!, 3);
    expect(sum).toBeCloseTo(data.reduce((a, b) => a + b, 0), 0);
    expect(shapeB).toEqual([5]);
  });
});
